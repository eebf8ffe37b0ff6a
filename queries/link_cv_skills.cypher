// A skill the taxonomy does not hold becomes a bare :Concept:Skill reference (no kind), so the link
// survives until that skill is loaded and taxonomy reads never see it.
UNWIND $rows AS row
MATCH (c:Cv {id: row.cv})
MERGE (s:Concept {uri: row.skill})
  ON CREATE SET s:Skill
CREATE (c)-[:HAS_SKILL {source: row.source, lang: row.lang, idx: row.idx, evidenceJson: row.evidenceJson}]->(s)
