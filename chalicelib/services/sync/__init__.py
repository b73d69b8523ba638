"""The contact-center sync (push webhook and pull)."""
