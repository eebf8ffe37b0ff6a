MATCH (c:Cv {municipality: $municipality})
RETURN c.id AS id
