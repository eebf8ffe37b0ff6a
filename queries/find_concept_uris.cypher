// The URIs of the loaded concepts of these kinds (a serving process reads ahead what it remembers).
// One record of columns.
MATCH (c:Concept)
WHERE c.kind IN $kinds
RETURN collect(c.uri) AS uri, collect(c.kind) AS kind
