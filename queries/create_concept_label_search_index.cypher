CREATE TEXT INDEX concept_label_search IF NOT EXISTS FOR (c:Concept) ON (c.labelSearch)
