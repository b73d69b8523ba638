"""Privacy: the audit trail, the suppression list, erasure and access requests."""
