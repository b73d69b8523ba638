"""Merging contacts that are the same person, and undoing it (``/contacts/merge``,
``/merges/{merge_id}``)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from chalicelib.models.common import Instant
from chalicelib.models.contact import Contact


class MergeRequest(BaseModel):
    """``POST /contacts/merge``."""
    model_config = ConfigDict(defer_build=True, extra="forbid", json_schema_extra={"example": {
        "survivor_id": "4F1C2B8E9A0D4C6BA1E2F3D4C5B6A798", "merged_ids": ["9A0D4C6BA1E2F3D44F1C2B8EC5B6A798"],
        "fields": {"email": "9A0D4C6BA1E2F3D44F1C2B8EC5B6A798"}, "dry_run": True}})

    survivor_id: StrictStr = Field(min_length=1, max_length=64, description="the contact that stays")
    merged_ids: list[StrictStr] = Field(min_length=1, max_length=10,
                                        description="the contacts merged into it (they redirect to it)")
    fields: dict[StrictStr, StrictStr] = Field(
        default_factory=dict, max_length=200,
        description="field -> the id of the contact whose value wins; other fields keep the survivor's "
                    "value, or take a merged contact's where the survivor has none")
    dry_run: StrictBool = Field(False, description="answer what the merge would make, writing nothing")


class MergePreview(BaseModel):
    """What a merge would make (``dry_run``): nothing was written."""
    model_config = ConfigDict(defer_build=True)

    contact: Contact
    moves: dict[str, int] = Field(description="what the survivor takes over, by kind: calls, notes, attachments, "
                                              "followups, identifiers, consents")


class MergeResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    merge_id: str
    contact: Contact


class MergeRecord(BaseModel):
    """``GET /merges/{merge_id}``."""
    model_config = ConfigDict(defer_build=True)

    merge_id: str
    survivor_id: str
    merged_ids: list[str]
    state: Literal["applied", "undone"]
    by: str
    at: Instant
    undo_until: Instant
    undone_by: str | None = None
    undone_at: Instant | None = None


class UndoResult(BaseModel):
    """``POST /merges/{merge_id}/undo``."""
    model_config = ConfigDict(defer_build=True)

    merge_id: str
    state: Literal["undone"]
    contact: Contact = Field(description="the survivor as the undo left it")
    restored: list[Contact]
    conflicts: list[str] = Field(description="the survivor's fields changed since the merge: they keep their "
                                             "later value")
    calls_returned: int = Field(description="calls from a restored contact's own numbers, linked to the survivor "
                                            "since the merge, that went back to it")
