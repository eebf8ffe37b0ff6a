"""The embedded default: a networkx graph in memory over SQLite files in the data dir, and the SQLite ledger."""
