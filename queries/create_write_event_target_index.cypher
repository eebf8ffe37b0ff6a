CREATE INDEX write_event_target IF NOT EXISTS FOR (w:WriteEvent) ON (w.target)
