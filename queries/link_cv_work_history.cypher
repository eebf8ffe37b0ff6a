UNWIND $rows AS row
MATCH (c:Cv {id: row.cv})
MERGE (o:Concept {uri: row.occupation})
  ON CREATE SET o:Occupation
CREATE (c)-[:WORKED_AS {from: row.start, to: row.end, idx: row.idx}]->(o)
