// Where the taxonomy's write sequence stands (no row before the first taxonomy load).
MATCH (s:WriteSequence {name: 'taxonomy'})
RETURN s.value AS seq, s.epoch AS epoch
