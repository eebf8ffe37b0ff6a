// Where the postings' write sequence stands (no row before the first posting write).
MATCH (s:WriteSequence {name: 'postings'})
RETURN s.value AS seq, s.epoch AS epoch
