// ESCO skillSkillRelations.
UNWIND $rows AS row
MERGE (a:Concept {uri: row.source})
MERGE (b:Concept {uri: row.target})
MERGE (a)-[r:RELATED]->(b)
SET r.kind = row.kind, r.loadToken = $load_token
