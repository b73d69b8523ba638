"""Wrap-up codes (why the customer called, as the center counts it) and a
call's wrap-ups."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator, model_validator

from chalicelib.domain.limits import text_problem
from chalicelib.models.common import Instant
from chalicelib.models.notes import MAX_NOTE_CHARS, written_text

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_CODES = 200


class WrapupCode(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    code: StrictStr = Field(description="1 to 64 letters, digits and . _ -, starting with a letter or digit")
    label: StrictStr = Field(min_length=1, max_length=120, description="what agents and reports read")

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not CODE.match(value):
            raise ValueError("1 to 64 letters, digits and . _ -, starting with a letter or digit")
        return value

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        problem = text_problem(value, strict=True)
        if problem or not value.strip():
            raise ValueError(problem or "is blank")
        return value.strip()


class WrapupCodes(BaseModel):
    """``PUT /wrapup-codes`` (the whole list) and ``GET /wrapup-codes``."""
    model_config = ConfigDict(defer_build=True, extra="forbid", json_schema_extra={"example": {"codes": [
        {"code": "BILLING", "label": "Billing question"}, {"code": "CANCEL", "label": "Wants to cancel"}]}})

    codes: list[WrapupCode] = Field(max_length=MAX_CODES)

    @model_validator(mode="after")
    def _unique(self) -> WrapupCodes:
        seen: set[str] = set()
        for item in self.codes:
            if item.code in seen:
                raise ValueError(f"codes: {item.code!r} is listed twice")
            seen.add(item.code)
        return self


class WrapupRequest(BaseModel):
    """``POST /interactions/{call_Id}/wrapup``."""
    model_config = ConfigDict(defer_build=True, extra="forbid", json_schema_extra={"example": {
        "code": "BILLING", "note": "Explained the late fee"}})

    code: StrictStr = Field(min_length=1, max_length=64)
    note: StrictStr | None = Field(None, max_length=MAX_NOTE_CHARS)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        return None if value is None else written_text(value) or None


class Wrapup(BaseModel):
    model_config = ConfigDict(defer_build=True)

    code: str
    label: str
    note: str | None = None
    author: str
    at: Instant
