CREATE CONSTRAINT ontology_version_seq IF NOT EXISTS FOR (v:OntologyVersion) REQUIRE v.seq IS UNIQUE
