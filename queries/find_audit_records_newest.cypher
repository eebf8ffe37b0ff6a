// Newest first (the ethics list). seq > $after_seq (0 for "from the start") lets the planner read the seq index in order, so paging
// by seq through a long trail touches only the page, where SKIP would walk everything before it.
MATCH (r:Recommendation)
WHERE r.seq > $after_seq
  AND ($cv_id IS NULL OR r.cvId = $cv_id)
  AND ($actor IS NULL OR r.actor = $actor)
  AND ($municipality IS NULL OR r.municipality = $municipality)
  AND ($since IS NULL OR r.at >= $since)
  AND ($until IS NULL OR r.at < $until)
  AND NOT r.strategy IN $exclude_kinds
RETURN r {.*} AS props
ORDER BY r.seq DESC
SKIP $offset
LIMIT $limit
