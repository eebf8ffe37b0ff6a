// Every taxonomy edge (for an in-process snapshot): occupation REQUIRES skill, skill RELATED skill,
// child BROADER parent, concept IN_COLLECTION collection. Kind is '' where the edge has none.
MATCH (a:Concept)-[r:REQUIRES|RELATED|BROADER|IN_COLLECTION]->(b)
RETURN collect(type(r)) AS type, collect(a.uri) AS source, collect(coalesce(b.uri, b.name)) AS target,
       collect(coalesce(r.kind, '')) AS kind
