MATCH (v:OntologyVersion)
RETURN v.seq AS seq, v.version AS version, v.languages AS languages, v.source AS source,
       v.checksum AS checksum, v.loadedAt AS loadedAt
ORDER BY v.seq
