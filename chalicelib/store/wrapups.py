"""The wrap-up codes: one small item, replaced whole."""
from __future__ import annotations

from chalicelib.models.wrapups import WrapupCodes
from chalicelib.store import keys, records


def codes() -> WrapupCodes:
    found = records.get(keys.wrapup_codes())
    return WrapupCodes.model_validate({"codes": (found or {}).get("codes") or []})


def replace(codes: WrapupCodes, updated_at: str) -> None:
    records.put(keys.wrapup_codes(), codes.model_dump() | {"updated_at": updated_at})
