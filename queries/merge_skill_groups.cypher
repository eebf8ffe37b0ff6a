// One row per concept: {uri, props}. SET = replaces every property, so a reload drops stale ones;
// the node keeps exactly one kind label even if a new ESCO version moved the URI to another kind.
UNWIND $rows AS row
MERGE (c:Concept {uri: row.uri})
SET c = row.props, c:SkillGroup
REMOVE c:Occupation:Skill:IscoGroup
