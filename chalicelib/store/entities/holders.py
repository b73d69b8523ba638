"""``HELD#<keyed hash>`` / ``HELD``: which contacts hold a number or
address, named by its keyed hash (``store/holders.py``)."""
from __future__ import annotations

from chalicelib.store.entities import Entity, Key


class HoldersItem(Entity):
    name, pk, sk = "identifier_holders", "HELD#", "HELD"

    @classmethod
    def keys(cls, digest: str) -> Key:
        return {"PK": f"{cls.pk}{digest}", "SK": cls.sk}
