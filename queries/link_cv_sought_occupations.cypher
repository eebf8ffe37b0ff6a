UNWIND $rows AS row
MATCH (c:Cv {id: row.cv})
MERGE (o:Concept {uri: row.occupation})
  ON CREATE SET o:Occupation
CREATE (c)-[:SEEKS {idx: row.idx}]->(o)
