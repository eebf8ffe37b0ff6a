CREATE INDEX trial_assignment_stratum IF NOT EXISTS FOR (t:TrialAssignment) ON (t.trial, t.stratum)
