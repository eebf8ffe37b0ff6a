// idx keeps the requirement's position, so duplicates come back in the order they were stored.
UNWIND $rows AS row
MATCH (p:Posting {id: row.posting})
MERGE (s:Concept {uri: row.skill})
  ON CREATE SET s:Skill
CREATE (p)-[:REQUIRES_SKILL {kind: row.kind, idx: row.idx, evidenceJson: row.evidenceJson}]->(s)
