// ESCO broader relations of both pillars: child BROADER parent.
UNWIND $rows AS row
MERGE (c:Concept {uri: row.child})
MERGE (p:Concept {uri: row.parent})
MERGE (c)-[r:BROADER]->(p)
SET r.loadToken = $load_token
