"""Follow-ups: a callback or a task promised to a contact, with a time and
an owner (``/followups``). Personal data like notes: an erasure deletes
them, an access request returns them."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from chalicelib.models.common import Instant
from chalicelib.models.notes import MAX_NOTE_CHARS, written_text


class FollowupRequest(BaseModel):
    """``POST /followups``."""
    model_config = ConfigDict(defer_build=True, extra="forbid", json_schema_extra={"example": {
        "contact_id": "4F1C2B8E9A0D4C6BA1E2F3D4C5B6A798", "due_at": "2026-12-07T09:00:00Z",
        "note": "Call back about the renewal offer", "kind": "callback"}})

    contact_id: StrictStr = Field(min_length=1, max_length=64)
    due_at: StrictStr = Field(description="ISO 8601 with a time zone: when to call back or act", max_length=40)
    note: StrictStr = Field("", max_length=MAX_NOTE_CHARS)
    kind: Literal["callback", "task"] = "task"
    owner: StrictStr | None = Field(None, min_length=1, max_length=100,
                                    description="who does it (default: the signed-in agent or the key's name)")

    @field_validator("note")
    @classmethod
    def _readable(cls, value: str) -> str:
        return written_text(value)


class Followup(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    contact_id: str
    due_at: Instant
    note: str
    kind: Literal["callback", "task"]
    owner: str
    state: Literal["open", "done"]
    created_at: Instant
    done_at: Instant | None = None
    sync_state: Literal["not_sent", "pending", "sent", "failed", "no_number"] = Field(
        "not_sent", description="a callback's copy in Sinch Contact Center (not_sent: a task, or no contact center)")
    sinch_id: str | None = Field(None, description="the callback's id in Sinch Contact Center, once sent")
    sync_error: str | None = None
