MATCH (v:OntologyVersion)
RETURN v.seq AS seq, v.version AS version, v.checksum AS checksum
ORDER BY v.seq DESC
LIMIT 1
