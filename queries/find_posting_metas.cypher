// What a suggestion shows of each posting; one record of columns (see find_postings_in.cypher).
UNWIND $ids AS id
MATCH (p:Posting {id: id})
RETURN collect(p.id) AS ids, collect(coalesce(p.title, '')) AS titles,
       collect(coalesce(p.employer, '')) AS employers, collect(p.lat) AS lats, collect(p.lon) AS lons,
       collect(coalesce(p.published, '')) AS published, collect(coalesce(p.validThrough, '')) AS validThrough,
       collect(coalesce(p.occupation, '')) AS occupations, collect(p.nEssential) AS nEssential,
       collect(p.nOptional) AS nOptional
