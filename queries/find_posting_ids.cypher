MATCH (p:Posting)
RETURN collect(p.id) AS ids
