// CREATE, not MERGE: an existing id or hash is an error (uniqueness constraints), never an overwrite.
CREATE (t:ApiToken)
SET t = $props
