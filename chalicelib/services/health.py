"""Is the service able to serve? (The table answers a read.)"""
from __future__ import annotations

from chalicelib.store import contacts


def check() -> None:
    contacts.ping()
