// Removal markers older than $before (seconds) go; markers from before they carried a time count as old.
// The postings' write sequence remembers the newest write whose marker may be gone (s.pruned), so a
// process whose copy is older than that copies everything again instead of missing a removal.
// Runs in a transaction that holds the sequence's write lock (after update_posting_sequence).
MATCH (s:WriteSequence {name: 'postings'})
OPTIONAL MATCH (t:PostingRemoved)
  WHERE coalesce(t.at, 0) < $before
WITH s, collect(t) AS old, max(t.seq) AS through
FOREACH (t IN old | DELETE t)
SET s.pruned = CASE WHEN through IS NULL OR coalesce(s.pruned, 0) >= through THEN coalesce(s.pruned, 0)
                    ELSE through END
RETURN size(old) AS pruned, s.pruned AS through
