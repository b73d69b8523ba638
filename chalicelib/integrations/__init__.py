"""Clients of other systems than AWS (the contact center's REST API)."""
