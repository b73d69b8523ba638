"""Contacts on the wire.

Core fields are named as in the CIM API (``first_name``, ``last_name``,
``phone1``) plus ``phone2`` and ``email``. Any other key is a custom
attribute, kept flat beside the core fields.
"""
from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, model_validator

from chalicelib.models.common import Instant, OnlyWhatIsSet

CORE_FIELDS = ("first_name", "last_name", "phone1", "phone2", "email")
PHONE_FIELDS = ("phone1", "phone2")
# Set by the server; accepted in a body (clients send back what they read)
# but never taken from it.
SERVER_FIELDS = ("id", "created_at", "updated_at", "normalized", "version", "consents", "merged_from",
                 "merged_identifiers")
# What the server keeps on a contact across edits (a client never writes them).
KEPT_ACROSS_EDITS = ("consents", "merged_from", "merged_identifiers")
NAME_FIELDS = ("first_name", "last_name")

ATTRIBUTE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_TEXT = 1000
MAX_LIST = 50

Scalar = StrictStr | StrictInt | StrictFloat | StrictBool | None


class ContactFields(BaseModel):
    """A contact as written by a client (create, or the fields of an update)."""

    model_config = ConfigDict(defer_build=True, extra="allow", str_strip_whitespace=True)

    first_name: StrictStr | None = Field(None, max_length=100)
    last_name: StrictStr | None = Field(None, max_length=100)
    phone1: StrictStr | None = Field(None, max_length=64)
    phone2: StrictStr | None = Field(None, max_length=64)
    email: StrictStr | None = Field(None, max_length=254)
    version: StrictInt | None = Field(None, ge=1, description="on an update: the version you read (or If-Match); "
                                                               "a stale one is a 412. Ignored on a create")

    @model_validator(mode="before")
    @classmethod
    def _drop_server_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in SERVER_FIELDS or k == "version"}
        return data

    @model_validator(mode="after")
    def _check_attributes(self) -> ContactFields:
        for key, value in (self.model_extra or {}).items():
            if not ATTRIBUTE_KEY.match(key):
                raise ValueError(
                    f"{key!r} is not a valid attribute name (letters, digits, _; "
                    "starting with a letter; at most 64)")
            _check_value(key, value)
        return self

    def given(self) -> dict[str, Any]:
        """The fields present in the body, nulls included (null clears a field)."""
        return {k: getattr(self, k) for k in self.model_fields_set if k != "version"} | dict(self.model_extra or {})


def _check_value(key: str, value: Any) -> None:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ValueError(f"{key}: at most {MAX_TEXT} characters")
    if isinstance(value, list):
        if len(value) > MAX_LIST:
            raise ValueError(f"{key}: at most {MAX_LIST} items")
        for item in value:
            if not isinstance(item, (str, int, float, bool)) or isinstance(item, list):
                raise ValueError(f"{key}: list items must be strings, numbers or booleans")
            _check_value(key, item)
    elif isinstance(value, dict):
        raise ValueError(f"{key}: nested objects are not allowed; use a string, number, boolean or list")


class Contact(BaseModel):
    """A stored contact as read back."""

    model_config = ConfigDict(defer_build=True, extra="allow")

    id: str
    first_name: str | None = None
    last_name: str | None = None
    phone1: str | None = None
    phone2: str | None = None
    email: str | None = None
    normalized: dict[str, str] = Field(
        default_factory=dict,
        description="E.164 phones and lower-cased e-mail, as searched",
    )
    consents: dict[str, Consent] = Field(
        default_factory=dict, description="the customer's consents by usage (recording, marketing, ...)")
    created_at: Instant
    updated_at: Instant
    version: int


class ConsentFields(BaseModel):
    """A consent as recorded (the shape of Sinch's customerConsents: a usage and an address)."""
    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)

    granted: StrictBool
    address: StrictStr | None = Field(None, max_length=254, description="the number or address it applies to")
    source: StrictStr | None = Field(None, max_length=100, description="where it was given: ivr, agent, web, ...")


class Consent(ConsentFields):
    model_config = ConfigDict(defer_build=True, extra="ignore")

    usage: str
    updated_at: Instant


CONSENT_USAGE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def size_of(fields: dict[str, Any]) -> int:
    return len(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode())


class BulkRequest(BaseModel):
    model_config = ConfigDict(defer_build=True)

    contacts: list[Any] = Field(min_length=1, description="contact objects; each is checked alone, and one that "
                                "is not a valid contact (not even an object) is rejected in its result")


class PossibleDuplicate(BaseModel):
    """Another contact that may be the same person (docs/api.md, Duplicates)."""
    model_config = ConfigDict(defer_build=True)

    id: str
    reasons: list[Literal["phone", "email", "name"]] = Field(description="what they share: a number, an address, "
                                                                           "a name alike (never a name alone)")
    score: float = Field(ge=0, le=1, description="how likely they are one person")
    first_name: str | None = None
    last_name: str | None = None


class CreatedContact(Contact):
    """A contact as created, with the contacts it may duplicate (none: ``[]``)."""

    possible_duplicates: list[PossibleDuplicate] = Field(
        default_factory=list, description="contacts sharing a number or address; ?if_duplicate=refuse makes them a 409")


class BulkItemResult(OnlyWhatIsSet):
    """One item's outcome: created (its id and the contact) or rejected (why)."""
    model_config = ConfigDict(defer_build=True)

    index: int
    outcome: Literal["created", "exists", "rejected"]
    id: str | None = None
    contact: Contact | None = None
    Code: str | None = Field(None, description="why the item was rejected (the error's code)")
    Message: str | None = Field(None, description="why the item was rejected, naming the field")
    possible_duplicates: list[PossibleDuplicate] | None = Field(
        None, description="stored contacts, or earlier items of this request, that may be the same person "
        "(created anyway, or with if_duplicate=refuse rejected as PossibleDuplicate)")


class BulkResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    results: list[BulkItemResult]
    created: int
    rejected: int


class PossibleDuplicates(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[PossibleDuplicate]


class DuplicatePairContact(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    first_name: str | None = None
    last_name: str | None = None


class DuplicatePair(BaseModel):
    """Two contacts a scan found may be one person (``GET /duplicates``)."""
    model_config = ConfigDict(defer_build=True)

    ids: list[str] = Field(min_length=2, max_length=2)
    reasons: list[Literal["phone", "email", "name"]]
    score: float = Field(ge=0, le=1)
    found_at: Instant
    contacts: list[DuplicatePairContact] = Field(description="the two, as they are now")


class DismissalRequest(BaseModel):
    """``POST /duplicates/dismissals``: these two are not the same person."""
    model_config = ConfigDict(defer_build=True, extra="forbid", json_schema_extra={"example": {
        "ids": ["4F1C2B8E9A0D4C6BA1E2F3D4C5B6A798", "9A0D4C6BA1E2F3D44F1C2B8EC5B6A798"]}})

    ids: list[StrictStr] = Field(min_length=2, max_length=2, description="the two contacts")


class Dismissal(BaseModel):
    model_config = ConfigDict(defer_build=True)

    ids: list[str]
    by: str
    at: Instant


class DuplicateScan(BaseModel):
    """A resumable pass over every contact looking for possible duplicates."""
    model_config = ConfigDict(defer_build=True)

    id: str
    state: Literal["running", "done"]
    processed: int = Field(description="contacts looked at so far")
    found: int = Field(description="pairs written (a pair found again is rewritten, not counted twice)")
    started_at: Instant
    updated_at: Instant
    finished_at: Instant | None = None


class ContactVersion(BaseModel):
    """Where a contact stands (the desk's open card asks, to notice a change)."""
    model_config = ConfigDict(defer_build=True)

    id: str
    version: int
    updated_at: Instant
