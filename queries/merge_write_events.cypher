// One write of a CV or posting per node (idempotent per id): who, when, the stored content's hash.
UNWIND $rows AS row
MERGE (w:WriteEvent {id: row.id})
SET w = row
