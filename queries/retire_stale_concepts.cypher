// After a load: concepts the new package no longer lists lose their taxonomy properties and kind
// label (documents may still point at them), so no taxonomy read sees them any more.
MATCH (c:Concept)
WHERE c.kind IS NOT NULL AND (c.loadToken IS NULL OR c.loadToken <> $load_token)
WITH c LIMIT $limit
SET c = {uri: c.uri}
REMOVE c:Occupation:Skill:IscoGroup:SkillGroup
RETURN count(*) AS retired
