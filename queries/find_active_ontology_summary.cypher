MATCH (v:OntologyVersion)
RETURN v.summaryJson AS summaryJson
ORDER BY v.seq DESC
LIMIT 1
