"""The contact schema, its reindex jobs, and the mapping rules."""
