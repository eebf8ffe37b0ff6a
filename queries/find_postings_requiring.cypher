// Starts from the asked skills (index seek on Concept.uri), walks REQUIRES_SKILL back to postings and
// filters those; answers one record of columns: per posting its metadata and its matching hits.
UNWIND $skill_uris AS uri
MATCH (:Concept {uri: uri})<-[r:REQUIRES_SKILL]-(p:Posting)
WHERE p.lat >= $south AND p.lat <= $north AND p.lon >= $west AND p.lon <= $east
  AND p.publishedDay <= $day AND p.validThroughDay >= $day
WITH p, collect(uri) AS hitSkills, collect(r.kind) AS hitKinds, collect(r.idx) AS hitIdx
RETURN collect(p.id) AS ids, collect(coalesce(p.title, '')) AS titles,
       collect(coalesce(p.employer, '')) AS employers, collect(p.lat) AS lats, collect(p.lon) AS lons,
       collect(coalesce(p.published, '')) AS published, collect(coalesce(p.validThrough, '')) AS validThrough,
       collect(coalesce(p.occupation, '')) AS occupations, collect(p.nEssential) AS nEssential,
       collect(p.nOptional) AS nOptional,
       collect(hitSkills) AS hitSkills, collect(hitKinds) AS hitKinds, collect(hitIdx) AS hitIdx
