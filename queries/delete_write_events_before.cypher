// Retention: write events (who wrote which CV or posting, when) older than the audit trail kept; replay of
// a kept record only asks for writes after it.
MATCH (w:WriteEvent)
WHERE w.at < $before
DETACH DELETE w
RETURN count(*) AS deleted
