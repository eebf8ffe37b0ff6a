CREATE INDEX cv_municipality IF NOT EXISTS FOR (c:Cv) ON (c.municipality)
