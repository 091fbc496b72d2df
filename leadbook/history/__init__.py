"""The history store: one SQLite file beside the master, a snapshot of every lead per
merged week, read back for trends."""
