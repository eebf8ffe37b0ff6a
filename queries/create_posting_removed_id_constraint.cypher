CREATE CONSTRAINT posting_removed_id IF NOT EXISTS FOR (t:PostingRemoved) REQUIRE t.id IS UNIQUE
