"""Possible duplicates (found by a scan, ``jobs.DuplicateScan``).

- ``DUPPAIR#<id>#<id>`` / ``PAIR``: two contacts that may be one person (the
  smaller id first); GSI1 lists them most likely first
  (``GSI1PK=DUPLICATES``, ``GSI1SK=<1000 - score x 1000>#<id>#<id>``).
- ``DUPPAIR#<id>#<id>`` / ``DISMISSED``: someone said they are not.
"""
from __future__ import annotations

from chalicelib.store.entities import Entity, Key

PAIR_PREFIX = "DUPPAIR#"


class PairItem(Entity):
    name, pk, sk = "duplicate_pair", PAIR_PREFIX, "PAIR"
    LISTING_PK = "DUPLICATES"

    @classmethod
    def keys(cls, first: str, second: str) -> Key:
        return {"PK": f"{cls.pk}{first}#{second}", "SK": cls.sk}

    @classmethod
    def listing(cls, score: float, first: str, second: str) -> Key:
        """GSI1 attributes listing a pair most likely first."""
        return {"GSI1PK": cls.LISTING_PK, "GSI1SK": f"{1000 - round(score * 1000):04d}#{first}#{second}"}


class DismissalItem(Entity):
    name, pk, sk = "duplicate_dismissal", PAIR_PREFIX, "DISMISSED"

    @classmethod
    def keys(cls, first: str, second: str) -> Key:
        return {"PK": f"{cls.pk}{first}#{second}", "SK": cls.sk}
