MATCH (t:TrialAssignment {trial: $trial, stratum: $stratum})
RETURN count(t) AS n
