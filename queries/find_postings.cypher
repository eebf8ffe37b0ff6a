UNWIND $ids AS id
MATCH (p:Posting {id: id})
RETURN p.id AS id, p.bodyJson AS bodyJson
