// Where the postings' write sequence stands (no row before the first posting write), and the newest write
// whose removal marker may have been pruned.
MATCH (s:WriteSequence {name: 'postings'})
RETURN s.value AS seq, s.epoch AS epoch, coalesce(s.pruned, 0) AS pruned
