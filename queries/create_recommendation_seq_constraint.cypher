CREATE CONSTRAINT recommendation_seq IF NOT EXISTS FOR (r:Recommendation) REQUIRE r.seq IS UNIQUE
