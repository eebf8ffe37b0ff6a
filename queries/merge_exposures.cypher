UNWIND $targets AS target
MERGE (:Exposure {week: $week, target: target, cvId: $cv_id})
