MATCH (r:Recommendation)
WHERE ($cv_id IS NULL OR r.cvId = $cv_id)
  AND ($actor IS NULL OR r.actor = $actor)
  AND ($municipality IS NULL OR r.municipality = $municipality)
  AND ($since IS NULL OR r.at >= $since)
  AND ($until IS NULL OR r.at < $until)
RETURN r {.*} AS props
ORDER BY r.seq
SKIP $offset
LIMIT $limit
