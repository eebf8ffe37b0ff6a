// Exactly one active version: the one just loaded. Its load report travels with it.
MATCH (v:OntologyVersion)
SET v.active = (v.seq = $seq)
WITH v
WHERE v.seq = $seq
SET v.summaryJson = $summary_json
RETURN v.seq AS seq
