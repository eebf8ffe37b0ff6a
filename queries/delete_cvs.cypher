UNWIND $ids AS id
MATCH (c:Cv {id: id})
DETACH DELETE c
RETURN count(*) AS deleted
