UNWIND $targets AS target
MATCH (e:Exposure {week: $week, target: target})
WHERE e.cvId <> $exclude_cv
RETURN target, count(e) AS n
