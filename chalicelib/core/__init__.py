"""What every layer may use: errors, settings, roles, ids and time, signing, small caches."""
