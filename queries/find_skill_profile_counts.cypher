// How many occupation profiles list each skill (essential or optional), as two columns.
UNWIND $skill_uris AS uri
MATCH (:Concept {uri: uri})<-[:REQUIRES]-(o:Occupation)
WITH uri, count(DISTINCT o) AS n
RETURN collect(uri) AS skills, collect(n) AS counts
