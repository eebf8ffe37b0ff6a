// After a load's REQUIRES edges and sweep: how many essential and optional skills each occupation's
// profile has, kept on the node for occupations_sharing.
MATCH (o:Concept)
CALL (o) {
  OPTIONAL MATCH (o)-[r:REQUIRES]->()
  RETURN count(r) AS total, count(CASE WHEN r.kind = 'essential' THEN 1 END) AS essential
}
WITH o, total, essential
WHERE total > 0 OR o.nEssential IS NOT NULL
SET o.nEssential = essential, o.nOptional = total - essential
