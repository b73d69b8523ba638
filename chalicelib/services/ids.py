"""Server-made ids: 32 upper-case hex characters. A malformed one is a 400."""
from __future__ import annotations

from chalicelib.errors import Invalid
from chalicelib.store import keys


def check_id(value: str, field: str = "id") -> str:
    if not keys.is_id(value or ""):
        raise Invalid(f"Invalid id: {field} must be 32 upper-case hex characters")
    return value
