"""Retention: when an item written now should expire (a DynamoDB TTL, in
epoch seconds), from a number of days in the settings; 0 days keeps it."""
from __future__ import annotations

import time


def expires(days: int, since: float | None = None) -> int | None:
    if days <= 0:
        return None
    return int((time.time() if since is None else since) + days * 86400)
