// Columns, one entry per occupation (far cheaper to decode than a record each). The profile sizes come
// from update_requirement_counts (run at the end of every load); -1 means not counted yet (a load in
// progress or interrupted), and the caller then counts with find_requirement_counts.
UNWIND $skill_uris AS uri
MATCH (:Concept {uri: uri})<-[r:REQUIRES]-(o)
WITH o, collect(uri) AS skills, collect(r.kind) AS kinds
WHERE size(skills) >= $min_shared
RETURN collect(o.uri) AS occupations, collect(skills) AS skills, collect(kinds) AS kinds,
       collect(coalesce(o.nEssential, -1)) AS nEssential, collect(coalesce(o.nOptional, -1)) AS nOptional
