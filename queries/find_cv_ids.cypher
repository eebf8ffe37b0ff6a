MATCH (c:Cv)
RETURN c.id AS id
