"""The wrap-up codes: one small item, replaced whole."""
from __future__ import annotations

from typing import Any

from chalicelib.store import keys, records


def codes() -> list[dict[str, Any]]:
    found = records.get(keys.wrapup_codes())
    return list((found or {}).get("codes") or [])


def replace(codes: list[dict[str, Any]], updated_at: str) -> None:
    records.put(keys.wrapup_codes(), {"codes": codes, "updated_at": updated_at})
