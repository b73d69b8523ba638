"""Who is making the current change, and through what: the audit trail's
"who" and "via". The route wrapper sets it from the API key's name or the
desk session's agent; Lambda triggers and tools set their own."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    who: str  # a key's name, "desk:<agent>", or a system name such as "amazon-connect"
    via: str  # the route ("PUT /contacts/{contact_id}") or the trigger


_actor: ContextVar[Actor | None] = ContextVar("actor", default=None)
_process = [Actor("system", "unknown")]


def act_as(who: str, via: str) -> None:
    _actor.set(Actor(who, via))


def act_as_process(who: str, via: str) -> None:
    """For a tool: every thread of the process acts as it (contextvars do not follow into worker threads)."""
    _process[0] = Actor(who, via)


def current() -> Actor:
    return _actor.get() or _process[0]
