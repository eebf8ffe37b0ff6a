UNWIND $rows AS row
MERGE (c:Concept {uri: row.concept})
MERGE (k:Collection {name: row.collection})
MERGE (c)-[r:IN_COLLECTION]->(k)
SET r.loadToken = $load_token
