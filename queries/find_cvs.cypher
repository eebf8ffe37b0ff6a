UNWIND $ids AS id
MATCH (c:Cv {id: id})
RETURN c.id AS id, c.bodyJson AS bodyJson
