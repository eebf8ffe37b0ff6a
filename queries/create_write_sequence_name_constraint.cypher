CREATE CONSTRAINT write_sequence_name IF NOT EXISTS FOR (s:WriteSequence) REQUIRE s.name IS UNIQUE
