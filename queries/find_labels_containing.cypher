// labelSearch holds every label lower-cased (Python str.lower, at load time) one a line; the caller
// lower-cases $needle the same way and keeps only the labels that really contain it.
MATCH (c:Concept)
WHERE c.labelSearch CONTAINS $needle AND c.kind IN $kinds
RETURN collect(c.uri) AS uri, collect(c.kind) AS kind, collect(coalesce(c.labelsJson, '{}')) AS labelsJson
