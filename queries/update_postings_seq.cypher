// The write's number on each posting it wrote (find_posting_changes reads what came after a number).
UNWIND $ids AS id
MATCH (p:Posting {id: id})
SET p.seq = $seq
