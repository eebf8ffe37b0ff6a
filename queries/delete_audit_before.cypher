MATCH (r:Recommendation)
WHERE r.at < $before
DETACH DELETE r
RETURN count(*) AS deleted
