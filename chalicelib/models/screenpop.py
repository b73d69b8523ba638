"""Screen-pop links on the wire (``POST /screenpop/link``)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ScreenPopLinkRequest(BaseModel):
    model_config = ConfigDict(defer_build=True)

    ani: str | None = None
    contact_id: str | None = None
    callVariables: dict[str, str] | None = None


class ScreenPopLink(BaseModel):
    model_config = ConfigDict(defer_build=True)

    url: str
    expiresAt: int
