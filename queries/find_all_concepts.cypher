// Every concept of the loaded taxonomy (for an in-process snapshot); columns as find_concepts.
MATCH (c:Concept)
WHERE c.kind IS NOT NULL
RETURN collect(c.uri) AS uri, collect(c.kind) AS kind, collect(coalesce(c.version, '')) AS version,
       collect(coalesce(c.code, '')) AS code, collect(coalesce(c.status, '')) AS status,
       collect(coalesce(c.iscoGroup, '')) AS iscoGroup, collect(coalesce(c.skillType, '')) AS skillType,
       collect(coalesce(c.reuseLevel, '')) AS reuseLevel, collect(coalesce(c.stub, false)) AS stub,
       collect(coalesce(c.labelsJson, '{}')) AS labelsJson,
       collect(coalesce(c.descriptionsJson, '{}')) AS descriptionsJson
