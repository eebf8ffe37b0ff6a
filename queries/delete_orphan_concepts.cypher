// Concept nodes outside the taxonomy (no kind) that nothing points at any more.
MATCH (c:Concept)
WHERE c.kind IS NULL AND NOT EXISTS { (c)--() }
WITH c LIMIT $limit
DELETE c
RETURN count(*) AS deleted
