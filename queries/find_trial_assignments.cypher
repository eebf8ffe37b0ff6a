MATCH (t:TrialAssignment {trial: $trial})
RETURN t {.*} AS props
