// ESCO occupationSkillRelations. Endpoints are MERGEd (not MATCHed) so that an edge to a URI the
// package does not list is kept, as the embedded store keeps it.
UNWIND $rows AS row
MERGE (o:Concept {uri: row.occupation})
MERGE (s:Concept {uri: row.skill})
MERGE (o)-[r:REQUIRES]->(s)
SET r.kind = row.kind, r.loadToken = $load_token
