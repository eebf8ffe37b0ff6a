// Starts from the asked skills (index seek on Concept.uri), walks REQUIRES_SKILL back to postings and
// filters those. Answers one record of flat columns, one entry per hit: the skill as its index k in
// $skill_uris (not the URI: a hit list runs to thousands), and per hit the posting's ranking columns;
// the client groups by posting. Grouping here (an aggregation per posting) measured slower than
// sending the few repeated values.
UNWIND range(0, size($skill_uris) - 1) AS k
MATCH (:Concept {uri: $skill_uris[k]})<-[r:REQUIRES_SKILL]-(p:Posting)
WHERE p.lat >= $south AND p.lat <= $north AND p.lon >= $west AND p.lon <= $east
  AND p.publishedDay <= $day AND p.validThroughDay >= $day
RETURN collect(p.id) AS ids, collect(k) AS skill, collect(r.kind = 'essential') AS essential,
       collect(r.idx) AS idx, collect(p.lat) AS lats, collect(p.lon) AS lons,
       collect(coalesce(p.occupation, '')) AS occupations, collect(p.nEssential) AS nEssential,
       collect(p.nOptional) AS nOptional, collect(p.publishedDay) AS publishedDay
