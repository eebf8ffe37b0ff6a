CREATE CONSTRAINT trial_assignment_key IF NOT EXISTS FOR (t:TrialAssignment) REQUIRE (t.trial, t.cvId) IS UNIQUE
