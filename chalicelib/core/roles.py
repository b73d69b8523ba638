"""The roles a key can have. They nest: ``ivr`` (lookups and
saving legs) < ``agent`` (contacts, interactions, attachments, screen-pop links; reads schema
and mapping) < ``admin`` (everything). ``public`` routes take no key."""
from __future__ import annotations

from typing import Literal

PUBLIC, IVR, AGENT, ADMIN = "public", "ivr", "agent", "admin"
ROLES = (IVR, AGENT, ADMIN)
RANK = {IVR: 1, AGENT: 2, ADMIN: 3}
Role = Literal["ivr", "agent", "admin"]  # ROLES, spelled for the type checker and the OpenAPI enum


def may(role: str | None, needed: str) -> bool:
    """Whether a caller of ``role`` may call a route that needs ``needed``."""
    return needed == PUBLIC or RANK.get(role or "", 0) >= RANK[needed]
