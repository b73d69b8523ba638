"""Notes an agent writes on a contact or a call: what was said and promised.
A note is personal data (it may name anyone): it goes with an erasure, comes
with an access request, and the audit trail records that one was written,
never its text."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from chalicelib.domain.limits import text_problem
from chalicelib.models.common import Instant

MAX_NOTE_CHARS = 4000


def written_text(value: str) -> str:
    """What an agent wrote, trimmed (line breaks kept); ValueError naming a control character."""
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value.strip()


class NoteRequest(BaseModel):
    """``POST /contacts/{id}/notes`` and ``POST /interactions/{call_Id}/notes``."""
    model_config = ConfigDict(defer_build=True, extra="forbid", json_schema_extra={"example": {
        "text": "Promised a callback on Monday about the 50% offer"}})

    text: StrictStr = Field(min_length=1, max_length=MAX_NOTE_CHARS, description="plain text; line breaks kept")

    @field_validator("text")
    @classmethod
    def _readable(cls, value: str) -> str:
        written = written_text(value)
        if not written:
            raise ValueError("is blank; write what was said or promised")
        return written


class Note(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    text: str
    author: str = Field(description="the signed-in agent or the key's name")
    created_at: Instant
