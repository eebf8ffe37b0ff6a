// Assignments are never changed: only a new (trial, cv) pair gets the given arm.
MERGE (t:TrialAssignment {trial: $trial, cvId: $cv_id})
  ON CREATE SET t.arm = $arm, t.stratum = $stratum, t.assignedAt = $assigned_at
RETURN t {.*} AS props
