// One record of columns (the whole label list of ESCO is ~18k concepts).
MATCH (c:Concept)
WHERE c.kind IN $kinds
RETURN collect(c.uri) AS uri, collect(c.kind) AS kind, collect(coalesce(c.labelsJson, '{}')) AS labelsJson
