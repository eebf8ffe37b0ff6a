// Assignments are never changed: only a new (trial, cv) pair gets the given arm and position.
MERGE (t:TrialAssignment {trial: $trial, cvId: $cv_id})
  ON CREATE SET t.arm = $arm, t.stratum = $stratum, t.assignedAt = $assigned_at, t.position = $position
RETURN t {.*} AS props
