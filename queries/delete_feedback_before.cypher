// Retention: feedback older than the cut-off.
MATCH (f:Feedback)
WHERE f.at < $before
DETACH DELETE f
RETURN count(*) AS deleted
