// The postings written after write number $since (index seek on Posting.seq), as find_posting_rows.
MATCH (p:Posting)
WHERE p.seq > $since
RETURN p.id AS id, coalesce(p.title, '') AS title, coalesce(p.employer, '') AS employer, p.lat AS lat,
       p.lon AS lon, coalesce(p.published, '') AS published, coalesce(p.validThrough, '') AS validThrough,
       p.publishedDay AS publishedDay, p.validThroughDay AS validThroughDay,
       coalesce(p.occupation, '') AS occupation, p.reqSkills AS reqSkills, p.reqKinds AS reqKinds,
       p.seq AS seq
