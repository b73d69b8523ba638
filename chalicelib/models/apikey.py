"""API keys on the wire. The key itself appears once, in the answer to its creation."""
from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from chalicelib.core.roles import Role
from chalicelib.domain.values import parse_datetime
from chalicelib.models.common import Instant


class KeyRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)

    name: StrictStr = Field(min_length=1, max_length=100)
    role: Role
    expires_at: StrictStr | None = None

    @field_validator("expires_at")
    @classmethod
    def _when(cls, value: str | None) -> str | None:
        if value is None:
            return value
        moment = parse_datetime(value)
        if moment is None:
            raise ValueError("must be an ISO-8601 date and time")
        if moment <= datetime.now(UTC):
            raise ValueError("is in the past: a key born expired could never be used")
        return value


class ApiKey(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    name: str
    role: Role
    created_at: Instant
    last_used_at: Instant | None = None
    expires_at: str | None = None
    revoked: bool = False


class NewApiKey(ApiKey):
    key: str = Field(description="the secret; shown only now")
