// For each asked skill, the occupations that require it and how (essential/optional): a serving process
// remembers these per skill and answers "which occupations share these skills" itself.
UNWIND $skill_uris AS uri
MATCH (:Concept {uri: uri})<-[r:REQUIRES]-(o)
RETURN uri, collect(o.uri) AS occupations, collect(r.kind) AS kinds
