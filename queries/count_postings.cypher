MATCH (p:Posting)
RETURN count(p) AS n
