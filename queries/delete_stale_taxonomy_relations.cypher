// After a load: edges the new package no longer has. Batched by $limit; call until it returns 0.
MATCH (:Concept)-[r:REQUIRES|BROADER|RELATED|IN_COLLECTION]->()
WHERE r.loadToken IS NULL OR r.loadToken <> $load_token
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
