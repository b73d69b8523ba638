"""``WRAPUP`` / ``CODES``: the wrap-up codes agents choose from (one item, replaced whole)."""
from __future__ import annotations

from chalicelib.store.entities import Entity, Key


class WrapupCodesItem(Entity):
    name, pk, shared_pk = "wrapup_codes", "WRAPUP", True

    @classmethod
    def keys(cls) -> Key:
        return {"PK": cls.pk, "SK": "CODES"}
