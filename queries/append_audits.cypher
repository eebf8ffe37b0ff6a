// The caller checked, in the same transaction, that the rows continue the chain (seq last+1, last+2, …);
// the uniqueness constraint on seq stops a concurrent writer that checked too.
UNWIND $rows AS props
CREATE (r:Recommendation)
SET r = props
