"""The IVR lookup: the question (caller number and call variables) and the answer."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, field_validator

from chalicelib.models.common import OnlyWhatIsSet
from chalicelib.models.contact import Contact
from chalicelib.models.mapping import Rule

MAX_CALL_VARIABLES = 50
MAX_CANDIDATES = 25


class LookupRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    ani: StrictStr | None = Field(None, max_length=64, description="the caller's number, any format")
    callVariables: dict[str, StrictStr | StrictInt | StrictFloat | None] = Field(default_factory=dict)

    @field_validator("callVariables")
    @classmethod
    def _bounded(cls, value: dict[str, Any]) -> dict[str, str]:
        if len(value) > MAX_CALL_VARIABLES:
            raise ValueError(f"at most {MAX_CALL_VARIABLES} call variables")
        out = {}
        for name, raw in value.items():
            if len(name) > 64:
                raise ValueError(f"{name[:20]}...: call variable names are at most 64 characters")
            if raw is None:
                continue
            text = str(raw)
            if len(text) > 256:
                raise ValueError(f"{name}: at most 256 characters")
            out[name] = text
        return out


class MatchedBy(OnlyWhatIsSet):
    """What found the contacts: a mapping rule and the call variable's value,
    or the caller's number (E.164)."""
    model_config = ConfigDict(defer_build=True)

    rule: Rule | None = Field(None, description="the mapping rule whose call variable matched")
    value: str | None = Field(None, description="that call variable's value")
    ani: str | None = Field(None, description="the caller's number that matched (E.164)")


class LookupAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    match: Literal["none", "unique", "multiple"]
    contacts: list[Contact]
    matchedBy: MatchedBy | None = Field(
        None, description='{"rule": {...}, "value": "..."} or {"ani": "+1..."}; null when nothing matched')
    more: bool = Field(False, description=f"more than {MAX_CANDIDATES} contacts matched")
