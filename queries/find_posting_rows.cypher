// Every posting as the in-process posting index holds it (graph/backends/posting_index.py), with the
// number of the write that wrote it. Streamed once when a process first matches.
MATCH (p:Posting)
RETURN p.id AS id, coalesce(p.title, '') AS title, coalesce(p.employer, '') AS employer, p.lat AS lat,
       p.lon AS lon, coalesce(p.published, '') AS published, coalesce(p.validThrough, '') AS validThrough,
       p.publishedDay AS publishedDay, p.validThroughDay AS validThroughDay,
       coalesce(p.occupation, '') AS occupation, p.reqSkills AS reqSkills, p.reqKinds AS reqKinds,
       coalesce(p.seq, 0) AS seq
