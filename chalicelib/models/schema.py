"""Schema attributes on the wire: ``{"label", "key", "type"}`` as in the CIM
API, plus the rules an administrator may set."""
from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    StrictStr,
    field_validator,
    model_serializer,
)

from chalicelib.models.common import Instant
from chalicelib.models.contact import ATTRIBUTE_KEY, SERVER_FIELDS


class AttributeFields(BaseModel):
    """What a client may send to create or change an attribute (all optional:
    a PUT changes only what it names; a POST must name label, key and type)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)

    label: StrictStr | None = Field(None, min_length=1, max_length=100)
    key: StrictStr | None = Field(None, min_length=1, max_length=64)
    type: StrictStr | None = Field(None, min_length=1, max_length=20)
    required: StrictBool | None = None
    unique: StrictBool | None = None
    searchable: StrictBool | None = None
    pii: StrictBool | None = None
    highlight: StrictBool | None = Field(None, description="shown among the key facts at the head of the desk's card")
    max_length: int | None = Field(None, ge=1, le=1000, strict=True)
    options: list[StrictStr] | None = Field(None, max_length=200)
    default: Any = None

    @field_validator("key")
    @classmethod
    def _key_shape(cls, value: str | None) -> str | None:
        if value is not None and not ATTRIBUTE_KEY.match(value):
            raise ValueError("letters, digits and _, starting with a letter, at most 64")
        if value in SERVER_FIELDS:
            raise ValueError(f"{value!r} is set by the server; choose another key")
        return value

    @field_validator("options")
    @classmethod
    def _options_shape(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and (len(set(value)) != len(value) or any(not o or len(o) > 200 for o in value)):
            raise ValueError("options must be distinct, non-empty strings of at most 200 characters")
        return value


class Attribute(BaseModel):
    """A stored attribute of the contact schema."""
    model_config = ConfigDict(defer_build=True)

    id: str
    key: str
    label: str
    type: str
    required: bool = False
    unique: bool = False
    searchable: bool = False
    pii: bool = False
    highlight: bool = False
    max_length: int | None = None
    options: list[str] | None = None
    default: Any = None
    core: bool = False
    position: int = 0
    index_job: str | None = Field(None, description="the reindex job still bringing existing contacts in line")
    created_at: Instant | None = None
    updated_at: Instant | None = None


class Job(BaseModel):
    """A bounded, resumable pass over every contact after a schema change."""
    model_config = ConfigDict(defer_build=True)


    id: str
    reason: str
    state: str  # running | done | failed
    processed: int = 0
    changed: int = 0
    conflicts: list[dict[str, Any]] = Field(default_factory=list)
    started_at: Instant
    updated_at: Instant
    finished_at: Instant | None = None
    last_error: str | None = None


class AttributeAnswer(Attribute):
    """An attribute as a schema change answers it: with the reindex job the
    change started, when there is one (while it runs the answer is a 202)."""
    job: Job | None = Field(None, description="the reindex job the change started, if any")

    @model_serializer(mode="wrap")
    def _job_only_when_started(self, dump: SerializerFunctionWrapHandler) -> dict[str, Any]:
        answer = dump(self)
        if answer.get("job") is None:
            answer.pop("job", None)  # the attribute's own empty fields stay, as null
        return answer
