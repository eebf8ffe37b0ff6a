CREATE INDEX posting_seq IF NOT EXISTS FOR (p:Posting) ON (p.seq)
