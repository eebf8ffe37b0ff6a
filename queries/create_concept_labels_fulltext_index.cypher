CREATE FULLTEXT INDEX concept_labels IF NOT EXISTS FOR (c:Concept) ON EACH [c.labelSearch]
