MATCH (f:Feedback)
WHERE $recommendation_id IS NULL OR f.recommendationId = $recommendation_id
RETURN f {.*} AS props
