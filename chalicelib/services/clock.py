"""Ids and timestamps, in the formats the API promises."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime


def new_id() -> str:
    """32 upper-case hex characters, like the contact center's GUIDs."""
    return uuid.uuid4().hex.upper()


def now_iso() -> str:
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
