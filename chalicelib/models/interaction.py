"""Interaction trees on the wire, with the CIM API's field names: a tree
``{"call_Id", "phone_number", "interactions": [legs]}``, a leg
``{"type", "agentId", "start_time", "call_duration", "ivr_trail", "call_id",
"call_disposition", "team_name", "csq", "interaction_type", "wrap_up"}``."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from chalicelib.core.clock import iso
from chalicelib.domain.values import parse_datetime
from chalicelib.models.common import Instant
from chalicelib.models.notes import Note
from chalicelib.models.wrapups import Wrapup

CALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")
MAX_LEG_BYTES = 16 * 1024
MAX_DURATION_SECONDS = 10 ** 9  # about 31 years: a call's end must stay a date


class LegFields(BaseModel):
    """One leg as a platform reports it. Unknown fields are kept as given."""

    model_config = ConfigDict(defer_build=True, extra="allow", str_strip_whitespace=True)

    leg_id: StrictStr | None = Field(None, min_length=1, max_length=128)
    type: StrictStr | None = Field(None, max_length=100)
    interaction_type: StrictStr | None = Field(None, max_length=100)
    agentId: StrictStr | None = Field(None, max_length=200)
    start_time: StrictStr | None = None
    call_duration: StrictInt | StrictFloat | StrictStr | None = None
    ivr_trail: StrictStr | list[Any] | None = None
    call_id: StrictStr | None = Field(None, max_length=200)
    call_disposition: StrictStr | None = Field(None, max_length=200)
    team_name: StrictStr | None = Field(None, max_length=200)
    csq: StrictStr | None = Field(None, max_length=200)
    wrap_up: StrictStr | None = Field(None, max_length=1000)

    @field_validator("start_time")
    @classmethod
    def _utc(cls, value: str | None) -> str | None:
        if value is None:
            return None
        moment = parse_datetime(value)
        if moment is None:
            raise ValueError(f"{value!r} is not an ISO-8601 date and time")
        return iso(moment)

    @field_validator("call_duration")
    @classmethod
    def _seconds(cls, value: int | float | str | None) -> int | float | None:
        if isinstance(value, str):
            if not value.strip().isdigit():
                raise ValueError("must be a number of seconds (a number or a string of digits)")
            value = int(value.strip())
        if value is not None and value < 0:
            raise ValueError("must not be negative")
        if value is not None and value > MAX_DURATION_SECONDS:
            raise ValueError(f"at most {MAX_DURATION_SECONDS} seconds")
        return value

    @field_validator("ivr_trail")
    @classmethod
    def _trail(cls, value: str | list[Any] | None) -> str | list[Any] | None:
        if isinstance(value, list) and len(value) > 200:
            raise ValueError("at most 200 steps")
        return value

    @model_validator(mode="after")
    def _ends_within_the_calendar(self) -> LegFields:
        if self.start_time and self.call_duration:
            moment = parse_datetime(self.start_time)
            if moment is not None and (datetime.max.replace(tzinfo=UTC) - moment).total_seconds() < float(
                    self.call_duration):
                raise ValueError("call_duration: start_time plus call_duration passes the year 9999")
        return self

    @model_validator(mode="after")
    def _bounded(self) -> LegFields:
        if len(json.dumps(self.model_dump(), default=str)) > MAX_LEG_BYTES:
            raise ValueError(f"a leg takes at most {MAX_LEG_BYTES} bytes")
        return self

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in (self.model_dump(exclude_unset=True)).items() if v is not None}


class SaveLegRequest(BaseModel):
    """``POST /interactions/updateOrSaveInteractionTree/{call_Id}``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    interaction: LegFields
    call_Id: StrictStr | None = None
    ani: StrictStr | None = Field(None, max_length=320)
    contact_id: StrictStr | None = None


class LinkRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    contact_id: StrictStr


class Leg(BaseModel):
    """A stored leg as a tree shows it: the CIM fields, what the server adds
    (``leg_id``, ``received_at``, every ``wrap_ups``), and any other field the
    platform sent, kept as given."""
    model_config = ConfigDict(defer_build=True, extra="allow")

    leg_id: str
    type: str | None = None
    interaction_type: str | None = None
    agentId: str | None = None
    start_time: str | None = None
    call_duration: int | float | None = None
    ivr_trail: str | list[Any] | None = None
    call_id: str | None = None
    call_disposition: str | None = None
    team_name: str | None = None
    csq: str | None = None
    wrap_up: str | None = None
    wrap_ups: list[str] | None = None
    received_at: Instant | None = None


class CallSummary(BaseModel):
    """A call's line in a contact's history (``GET /contacts/{id}/history``): read from
    the history entry itself; the tree (``GET /interactions/{call_Id}``) only when opened."""
    model_config = ConfigDict(defer_build=True)

    call_Id: str
    start_time: Instant
    end_time: Instant | None = None
    channels: list[str] = Field(description="the legs' channels (voice, chat, email, ...)")
    legs: int
    last_wrapup: str | None = Field(None, description="the label of the last wrap-up, if the call was closed")
    seconds: int | None = Field(None, description="from the first leg's start to the last leg's end")
    notes: int = Field(0, description="agents' notes on the call")
    files: int = Field(0, description="files attached to the call")


class Tree(BaseModel):
    """A call and its legs, as shown in a history."""
    model_config = ConfigDict(defer_build=True)


    call_Id: str
    phone_number: str | None = None
    contact_id: str | None = Field(None, description="the contact an agent linked the call to")
    shown_to: list[str] = Field(default_factory=list, description="contacts whose history shows the call")
    start_time: Instant
    end_time: Instant | None = None
    interactions: list[Leg]
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list, description="agents' notes on the call, oldest first")
    wrapups: list[Wrapup] = Field(default_factory=list, description="how agents closed the call, newest last")
    created_at: Instant
    updated_at: Instant
    version: int
