"""Privacy requests and answers on the wire."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from chalicelib.models.common import Instant


class PersonRequest(BaseModel):
    """Exactly one identifier of the person."""
    model_config = ConfigDict(defer_build=True, extra="forbid")

    phone: StrictStr | None = Field(None, max_length=64)
    email: StrictStr | None = Field(None, max_length=254)
    contact_id: StrictStr | None = Field(None, max_length=64)


class IdentifierRequest(BaseModel):
    """A number or an address (a suppression to lift)."""
    model_config = ConfigDict(defer_build=True, extra="forbid")

    phone: StrictStr | None = Field(None, max_length=64)
    email: StrictStr | None = Field(None, max_length=254)


class HashedIdentifier(BaseModel):
    model_config = ConfigDict(defer_build=True)

    kind: str
    hash: str = Field(description="HMAC-SHA256 of the normalised identifier, keyed with the signing secret")


class ErasureReceipt(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    requested_at: Instant
    requested_by: str
    identifier: HashedIdentifier
    state: Literal["running", "done", "failed"]
    counts: dict[str, int]
    finished_at: Instant | None = None
    error: str | None = Field(None, description="why a failed erasure stopped (run it again to go on)")


class AccessAnswer(BaseModel):
    """An access request: the job gathering, then its document."""
    model_config = ConfigDict(defer_build=True)

    id: str
    requested_at: Instant
    requested_by: str
    identifier: HashedIdentifier
    state: Literal["running", "done", "failed"]
    finished_at: Instant | None = None
    error: str | None = Field(None, description="why a failed request stopped (run it again to go on)")
    delivery: Literal["inline", "file"] | None = Field(None, description="when done: how the document comes")
    document: dict[str, Any] | None = None
    url: str | None = Field(None, description="the document, when too large to answer inline (one hour)")
    bytes: int | None = Field(None, description="the document's size, when done")


class PersonalField(BaseModel):
    model_config = ConfigDict(defer_build=True)

    key: str
    label: str
    type: str
    core: bool
    why: str


class Suppression(BaseModel):
    model_config = ConfigDict(defer_build=True)

    hash: str
    kind: str
    erasure_id: str | None = None
    since: str | None = None
    state: str | None = None


class AuditEntry(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    at: Instant
    contact_id: str
    action: str = Field(description="created, updated, deleted, consent, linked, unlinked, erased")
    who: str = Field(description="the API key's name, desk:<agent>, or the system that made the change")
    via: str = Field(description="the route or trigger")
    fields: list[str] = Field(description="the names of the changed fields (never their values); "
                                          "consents.<usage> for a consent")
    version: int | None = Field(None, description="the contact's version this change made")
    call_Id: str | None = Field(None, description="the call that joined or left (linked, unlinked)")


class RetentionRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    kind: Literal["interactions", "audit", "erasure_receipts", "sync_runs"]
    since: StrictStr | None = Field(None, description="the oldest day to reach (ISO date); default: the retention's reach")


class RetentionJob(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    kind: str
    state: Literal["running", "done", "cancelled"]
    days: int = Field(description="the retention applied, in days (0: kept)")
    day: str = Field(description="the day being worked through")
    last_day: str
    updated: int = Field(description="items given the new expiry")
    started_at: Instant
    updated_at: Instant
    finished_at: Instant | None = None
