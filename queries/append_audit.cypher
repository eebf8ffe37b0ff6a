// The caller checked, in the same transaction, that $props.seq is the next number; the uniqueness
// constraint on seq stops a concurrent writer that checked too.
CREATE (r:Recommendation)
SET r = $props
