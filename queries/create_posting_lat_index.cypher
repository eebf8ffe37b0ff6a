CREATE INDEX posting_lat IF NOT EXISTS FOR (p:Posting) ON (p.lat)
