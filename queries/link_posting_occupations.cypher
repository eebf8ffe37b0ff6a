UNWIND $rows AS row
MATCH (p:Posting {id: row.posting})
MERGE (o:Concept {uri: row.occupation})
  ON CREATE SET o:Occupation
CREATE (p)-[:FOR_OCCUPATION {score: row.score}]->(o)
