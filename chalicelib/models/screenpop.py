"""Screen-pop links on the wire (``POST /screenpop/link``)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr


class ScreenPopLinkRequest(BaseModel):
    model_config = ConfigDict(defer_build=True)

    ani: StrictStr | None = None
    contact_id: StrictStr | None = None
    # As a lookup takes them (the link carries what a lookup would take).
    callVariables: dict[str, StrictStr | StrictInt | StrictFloat | None] | None = None


class ScreenPopLink(BaseModel):
    model_config = ConfigDict(defer_build=True)

    url: str
    expiresAt: str = Field(description="ISO-8601 UTC, like every timestamp of the API")


class NewCallerForm(BaseModel):
    """What the new-caller form posts: its signed token (served with the
    form, hidden fields) and the fields the agent filled in."""
    model_config = ConfigDict(defer_build=True)

    form: str
    caller: str
    exp: str
    sig: str
    first_name: str | None = None
    last_name: str | None = None
    phone1: str | None = None
    email: str | None = None
