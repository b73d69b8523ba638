"""``MERGE#<id>`` / ``MERGE``: a merge, with what undoing it needs (the
merged contacts as they were, the survivor before and after); the copies
are dropped on undo, and the item expires ``CIM_MERGE_UNDO_DAYS`` after.
(The merged contacts stay as redirects: ``contacts.Contact`` with ``merged_into``.)"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from chalicelib.domain.terms import Term
from chalicelib.store.entities import Entity, Key, Record, known_fields

APPLIED, UNDONE = "applied", "undone"  # a merge's states


@dataclass(frozen=True)
class Snapshot:
    """A merged contact as it was, for an undo to write back."""
    doc: dict[str, Any]
    version: int
    terms: list[Term]


@dataclass(frozen=True)
class StoredMerge(Record):
    """A merge as stored: who merged what into what, and while it may be
    undone, what undoing needs (``PERSONAL``: the survivor before and after,
    the merged contacts as they were, the identifiers they brought; dropped
    once it is undone, and erased with either side)."""
    merge_id: str
    survivor_id: str
    merged_ids: list[str]
    family: list[str]
    state: str  # applied | undone
    by: str
    at: str
    undo_until: str
    ttl: int
    attached: list[dict[str, str]] | None = None
    survivor_before: dict[str, Any] | None = None
    survivor_after: dict[str, Any] | None = None
    snapshots: list[Snapshot] | None = None
    undone_by: str | None = None
    undone_at: str | None = None

    PERSONAL = ("survivor_before", "survivor_after", "snapshots", "attached")

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredMerge:
        found = known_fields(cls, item)
        if found.get("snapshots") is not None:
            found["snapshots"] = [Snapshot(s["doc"], int(s["version"]), [Term(*t) for t in s["terms"]])
                                  for s in found["snapshots"]]
        return cls(**found)

    def item(self) -> dict[str, Any]:
        """Its attributes, none that is unset (an applied merge has no undo
        fields, an undone one nothing personal)."""
        found = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.snapshots is not None:
            found["snapshots"] = [{"doc": s.doc, "version": s.version, "terms": [t.as_list() for t in s.terms]}
                                  for s in self.snapshots]
        return {k: v for k, v in found.items() if v is not None}

    def undone(self, by: str, at: str) -> StoredMerge:
        """The record as an undo leaves it: undone, holding nothing personal."""
        return replace(self, state=UNDONE, undone_by=by, undone_at=at, **dict.fromkeys(self.PERSONAL))



class MergeItem(Entity):
    name, pk = "merge", "MERGE#"
    record = StoredMerge

    @classmethod
    def keys(cls, merge_id: str) -> Key:
        return {"PK": f"{cls.pk}{merge_id}", "SK": "MERGE"}
