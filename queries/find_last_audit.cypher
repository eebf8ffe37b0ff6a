MATCH (r:Recommendation)
RETURN r {.*} AS props
ORDER BY r.seq DESC
LIMIT 1
