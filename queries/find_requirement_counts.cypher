UNWIND $uris AS uri
MATCH (o:Concept {uri: uri})
RETURN uri,
       COUNT { (o)-[r:REQUIRES]->() WHERE r.kind = 'essential' } AS nEssential,
       COUNT { (o)-[:REQUIRES]->() } AS nTotal
