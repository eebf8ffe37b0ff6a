CREATE INDEX concept_kind IF NOT EXISTS FOR (c:Concept) ON (c.kind)
