CREATE INDEX recommendation_at IF NOT EXISTS FOR (r:Recommendation) ON (r.at)
