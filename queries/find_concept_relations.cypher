// Every taxonomy edge around one concept; NARROWER, REQUIRED_BY and RELATED_FROM are incoming edges.
MATCH (c:Concept {uri: $uri})
CALL (c) {
  MATCH (c)-[r:REQUIRES|BROADER|RELATED]->(o)
  RETURN type(r) AS relation, coalesce(r.kind, '') AS kind, o.uri AS other
  UNION ALL
  MATCH (c)-[:IN_COLLECTION]->(k:Collection)
  RETURN 'IN_COLLECTION' AS relation, k.name AS kind, '' AS other
  UNION ALL
  MATCH (c)<-[r:REQUIRES|BROADER|RELATED]-(o)
  RETURN CASE type(r) WHEN 'REQUIRES' THEN 'REQUIRED_BY' WHEN 'BROADER' THEN 'NARROWER' ELSE 'RELATED_FROM' END
         AS relation, coalesce(r.kind, '') AS kind, o.uri AS other
}
RETURN relation, kind, other
