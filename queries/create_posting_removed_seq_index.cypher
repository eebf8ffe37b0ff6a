CREATE INDEX posting_removed_seq IF NOT EXISTS FOR (t:PostingRemoved) ON (t.seq)
