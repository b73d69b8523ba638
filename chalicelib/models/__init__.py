"""Wire models: the only place JSON field names are spelled."""
