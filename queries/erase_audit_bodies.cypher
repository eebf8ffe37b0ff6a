// Erasure: the bodies of these records are blanked; their hashes (over the body's hash) and the chain stay.
MATCH (r:Recommendation)
WHERE r.id IN $ids AND coalesce(r.bodyHash, '') <> ''
SET r.body = $empty
RETURN count(r) AS n
