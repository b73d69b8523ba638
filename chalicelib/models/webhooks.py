"""Webhooks on the wire (``/webhooks``) and the events they carry (docs/events.md)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, field_validator

from chalicelib.domain.events import EVENT_TYPES, valid_pattern
from chalicelib.models.common import Instant

MAX_WEBHOOKS = 50


def _patterns(value: list[str]) -> list[str]:
    wrong = [p for p in value if not valid_pattern(p)]
    if wrong:
        raise ValueError(f"{', '.join(map(repr, wrong))}: not an event type or pattern; the types are "
                         + ", ".join(EVENT_TYPES) + " (or 'contact.*', '*')")
    return sorted(set(value))


class WebhookRequest(BaseModel):
    """``POST /webhooks`` and ``PUT /webhooks/{id}``."""
    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "example": {"url": "https://crm.example.com/cim-events", "events": ["contact.*", "interaction.saved"],
                    "description": "CRM sync"}})

    url: StrictStr = Field(min_length=8, max_length=2000, description="https (a deployed stage); the target")
    events: list[StrictStr] = Field(min_length=1, max_length=20, description="types or patterns: contact.*, *")
    description: StrictStr | None = Field(None, max_length=200)
    full_data: StrictBool = Field(False, description="add the contact as it is at delivery (CIM_WEBHOOK_FULL_DATA)")
    enabled: StrictBool = True

    _events = field_validator("events")(classmethod(lambda cls, v: _patterns(v)))


class Webhook(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    url: str
    events: list[str]
    description: str | None = None
    full_data: bool = False
    enabled: bool
    disabled_reason: str | None = Field(None, description="why deliveries stopped (the target answered 410)")
    created_at: Instant
    updated_at: Instant
    version: int


class WebhookCreated(Webhook):
    secret: str = Field(description="whsec_…: verify deliveries with it (Standard Webhooks); shown once")


class SecretRotated(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    secret: str = Field(description="the new whsec_… secret; shown once")
    previous_valid_until: Instant = Field(description="until then deliveries carry both signatures")


class Event(BaseModel):
    """The body of a delivery (and of an EventBridge event's ``detail``)."""
    model_config = ConfigDict(defer_build=True)

    id: str = Field(description="also the webhook-id header: the same event always has the same id")
    type: str
    timestamp: Instant
    data: dict[str, Any]


class Delivery(BaseModel):
    model_config = ConfigDict(defer_build=True)

    event_id: str
    type: str
    timestamp: Instant
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: int | None = Field(None, description="the target's last HTTP status (none: no answer)")
    last_error: str | None = None
    next_try: Instant | None = None
    updated_at: Instant


class ReplayRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", json_schema_extra={
        "example": {"since": "2026-12-01T00:00:00Z", "until": "2026-12-02T00:00:00Z"}})

    since: StrictStr = Field(description="ISO 8601; events at or after")
    until: StrictStr | None = Field(None, description="ISO 8601; events before (default: now)")
    cursor: StrictStr | None = Field(None, description="from the previous answer, to go on")


class ReplayAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    replayed: int = Field(description="events queued again for this webhook")
    cursor: str | None = Field(None, description="more in the range: POST again with it")


class StreamHandled(BaseModel):
    """What the table stream function answers Lambda: the outbound events it made."""
    model_config = ConfigDict(defer_build=True)

    events: int


class RetriesRun(BaseModel):
    """What the retry-queue function answers Lambda: the delivery attempts it made."""
    model_config = ConfigDict(defer_build=True)

    attempts: int

