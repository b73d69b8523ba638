"""Timestamps in the format the API promises: ISO-8601 UTC with milliseconds and ``Z``."""
from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
