// The taxonomy's write sequence: moved at the end of every taxonomy load (ontology load, upgrade, local
// additions), so each process drops what it remembered of the taxonomy (graph/backends/neo4j/taxonomy_memo.py).
MERGE (s:WriteSequence {name: 'taxonomy'})
  ON CREATE SET s.value = 0, s.epoch = randomUUID()
SET s.value = s.value + 1
RETURN s.value AS seq, s.epoch AS epoch
