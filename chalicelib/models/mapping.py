"""Mapping rules on the wire: ``{"callVar", "callVariable", "key", "varNumber"}``
as in the CIM API. A rule says: the IVR call variable ``callVariable``
(number ``varNumber``; ``callVar`` is its display name) holds the contact
attribute ``key``."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from chalicelib.models.common import Instant


class RuleFields(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)

    callVar: StrictStr | None = Field(None, max_length=100)
    callVariable: StrictStr | None = Field(None, min_length=1, max_length=64)
    key: StrictStr | None = Field(None, min_length=1, max_length=64)
    varNumber: StrictInt | StrictStr | None = None

    @field_validator("varNumber")
    @classmethod
    def _positive_whole_number(cls, value: int | str | None) -> int | None:
        if value is None:
            return None
        if isinstance(value, str):
            if not value.strip().isdigit():
                raise ValueError("must be a positive whole number (as a number or a string of digits)")
            value = int(value.strip())
        if value < 1 or value > 10_000:
            raise ValueError("must be a positive whole number up to 10000")
        return value


class Rule(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    callVar: str | None = None
    callVariable: str
    key: str
    varNumber: int
    created_at: Instant
    updated_at: Instant
