// The postings' write sequence: the first statement of every transaction that writes or removes
// postings. The write lock on this one node is held until the transaction commits, so transactions
// take numbers in commit order: a reader that sees number n sees every write numbered n or less.
// The epoch names this run of the sequence: a wiped or restored database starts a new one.
MERGE (s:WriteSequence {name: 'postings'})
  ON CREATE SET s.value = 0, s.epoch = randomUUID()
SET s.value = s.value + 1
RETURN s.value AS seq, s.epoch AS epoch
