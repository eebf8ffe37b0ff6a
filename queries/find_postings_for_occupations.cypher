UNWIND $occupation_uris AS uri
MATCH (:Concept {uri: uri})<-[:FOR_OCCUPATION]-(p:Posting)
WHERE p.lat >= $south AND p.lat <= $north AND p.lon >= $west AND p.lon <= $east
  AND p.publishedDay <= $day AND p.validThroughDay >= $day
WITH DISTINCT p
RETURN collect(p.id) AS ids, collect(coalesce(p.title, '')) AS titles,
       collect(coalesce(p.employer, '')) AS employers, collect(p.lat) AS lats, collect(p.lon) AS lons,
       collect(coalesce(p.published, '')) AS published, collect(coalesce(p.validThrough, '')) AS validThrough,
       collect(coalesce(p.occupation, '')) AS occupations, collect(p.nEssential) AS nEssential,
       collect(p.nOptional) AS nOptional
