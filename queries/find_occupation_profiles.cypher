UNWIND $uris AS uri
MATCH (o:Concept {uri: uri})
WHERE o.kind = 'Occupation'
RETURN uri, COLLECT { MATCH (o)-[r:REQUIRES]->(s) RETURN [s.uri, r.kind] } AS skills
