"""Server-made ids: 32 upper-case hex characters, like the contact center's
GUIDs. A malformed one is a 400."""
from __future__ import annotations

import re
import secrets
import threading
import time
import uuid

from chalicelib.core.errors import Invalid

ID_PATTERN = r"^[0-9A-F]{32}$"
_ID = re.compile(ID_PATTERN)


def new_id() -> str:
    return uuid.uuid4().hex.upper()


_last = [0, 0]  # the millisecond and the counter of this process's last ordered id
_ordered = threading.Lock()


def new_ordered_id() -> str:
    """An id that sorts after every one this process made before: the
    millisecond, a counter within it, then randomness. Records keyed by
    ``<time>#<id>`` (a contact's change trail) keep the order they were
    written in even within one millisecond."""
    with _ordered:
        now = time.time_ns() // 1_000_000
        millisecond, counter = (now, 0) if now > _last[0] else (_last[0], _last[1] + 1)
        _last[:] = [millisecond, counter]
    return f"{millisecond:012X}{counter:04X}{secrets.token_hex(8).upper()}"


def is_id(value: str) -> bool:
    return bool(_ID.match(value))


def check_id(value: str, field: str = "id") -> str:
    if not is_id(value or ""):
        raise Invalid(f"Invalid id: {field} must be 32 upper-case hex characters")
    return value
