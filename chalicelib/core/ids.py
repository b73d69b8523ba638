"""Server-made ids: 32 upper-case hex characters, like the contact center's
GUIDs. A malformed one is a 400."""
from __future__ import annotations

import re
import uuid

from chalicelib.core.errors import Invalid

ID_PATTERN = r"^[0-9A-F]{32}$"
_ID = re.compile(ID_PATTERN)


def new_id() -> str:
    return uuid.uuid4().hex.upper()


def is_id(value: str) -> bool:
    return bool(_ID.match(value))


def check_id(value: str, field: str = "id") -> str:
    if not is_id(value or ""):
        raise Invalid(f"Invalid id: {field} must be 32 upper-case hex characters")
    return value
