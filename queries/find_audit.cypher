MATCH (r:Recommendation {id: $id})
RETURN r {.*} AS props
