MATCH (w:WriteEvent)
WHERE w.kind = $kind AND w.target IN $targets AND w.at >= $since
RETURN w {.*} AS props
