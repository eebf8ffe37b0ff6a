CREATE INDEX feedback_recommendation IF NOT EXISTS FOR (f:Feedback) ON (f.recommendationId)
