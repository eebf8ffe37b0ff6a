// Retention: expired postings go with their requirement and occupation links. Each leaves a marker
// numbered with the write and stamped with its time ($now, seconds), so every process's posting index
// drops it too (find_posting_removals) until the marker itself is pruned (delete_old_posting_removals).
UNWIND $ids AS id
MATCH (p:Posting {id: id})
DETACH DELETE p
WITH id
MERGE (t:PostingRemoved {id: id})
SET t.seq = $seq, t.at = $now
RETURN count(*) AS deleted
