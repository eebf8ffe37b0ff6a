// The first statement of every audit append: a write lock on this one node, held to commit, so appends
// from every process take turns and each chains after the head it reads (no lost race to retry).
MERGE (h:AuditHead {name: 'audit'})
SET h.appends = coalesce(h.appends, 0) + 1
