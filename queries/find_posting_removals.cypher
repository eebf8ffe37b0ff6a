// The postings removed after write number $since.
MATCH (t:PostingRemoved)
WHERE t.seq > $since
RETURN t.id AS id, t.seq AS seq
