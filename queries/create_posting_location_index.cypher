CREATE POINT INDEX posting_location IF NOT EXISTS FOR (p:Posting) ON (p.location)
