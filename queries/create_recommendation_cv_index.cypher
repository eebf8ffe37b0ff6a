CREATE INDEX recommendation_cv IF NOT EXISTS FOR (r:Recommendation) ON (r.cvId)
