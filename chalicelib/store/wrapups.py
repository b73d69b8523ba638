"""The wrap-up codes: one small item, replaced whole."""
from __future__ import annotations

from chalicelib.models.wrapups import WrapupCodes
from chalicelib.store import records
from chalicelib.store.entities.wrapups import WrapupCodesItem


def codes() -> WrapupCodes:
    found = records.get(WrapupCodesItem.keys())
    return WrapupCodes.model_validate({"codes": (found or {}).get("codes") or []})


def replace(codes: WrapupCodes, updated_at: str) -> None:
    records.put(WrapupCodesItem.keys(), codes.model_dump() | {"updated_at": updated_at})
