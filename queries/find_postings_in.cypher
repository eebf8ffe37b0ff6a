// Plain comparisons on lat/lon (not point.withinBBox) so the answer equals the embedded store's
// exactly; day numbers: published <= day <= validThrough. One record of columns.
MATCH (p:Posting)
WHERE p.lat >= $south AND p.lat <= $north AND p.lon >= $west AND p.lon <= $east
  AND p.publishedDay <= $day AND p.validThroughDay >= $day
RETURN collect(p.id) AS ids, collect(coalesce(p.title, '')) AS titles,
       collect(coalesce(p.employer, '')) AS employers, collect(p.lat) AS lats, collect(p.lon) AS lons,
       collect(coalesce(p.published, '')) AS published, collect(coalesce(p.validThrough, '')) AS validThrough,
       collect(coalesce(p.occupation, '')) AS occupations, collect(p.nEssential) AS nEssential,
       collect(p.nOptional) AS nOptional
