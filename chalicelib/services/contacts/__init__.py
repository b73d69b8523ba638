"""Contacts: create, read, search, update, delete, bulk, and the IVR lookup."""
