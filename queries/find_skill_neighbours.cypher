// One step in the skill hierarchy around each asked skill: its Skill parents, each with that parent's
// Skill children (the siblings), and its Skill children. Only Skill parents make siblings: skill groups
// hold hundreds of members, too loose to call a near match. The caller drops the asked skills
// themselves, de-duplicates and orders (a row a skill: far fewer records than a row a link).
UNWIND $skill_uris AS uri
MATCH (s:Concept {uri: uri})
WHERE s.kind = 'Skill'
RETURN uri AS source,
       COLLECT {
         MATCH (s)-[:BROADER]->(p:Concept)
         WHERE p.kind = 'Skill'
         RETURN [p.uri] + COLLECT { MATCH (p)<-[:BROADER]-(x:Concept) WHERE x.kind = 'Skill' RETURN x.uri }
       } AS parents,
       COLLECT { MATCH (s)<-[:BROADER]-(c:Concept) WHERE c.kind = 'Skill' RETURN c.uri } AS children
