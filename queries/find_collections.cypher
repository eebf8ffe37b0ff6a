UNWIND $uris AS uri
MATCH (:Concept {uri: uri})-[:IN_COLLECTION]->(k:Collection)
RETURN uri, collect(k.name) AS collections
