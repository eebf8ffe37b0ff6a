MATCH (t:ApiToken {id: $id})
SET t.revoked = true
RETURN count(t) AS revoked
