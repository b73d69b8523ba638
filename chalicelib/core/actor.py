"""Who is making the current change, and through what: the audit trail's
"who" and "via", kept on the invocation (``core/invocation``). The route
wrapper sets it from the API key's name or the desk session's agent; Lambda
triggers and tools set their own."""
from __future__ import annotations

from chalicelib.core import invocation
from chalicelib.core.invocation import Actor

__all__ = ["Actor", "act_as", "act_as_process", "current"]

_process = [Actor("system", "unknown")]


def act_as(who: str, via: str) -> None:
    invocation.current().actor = Actor(who, via)


def act_as_process(who: str, via: str) -> None:
    """For a tool: every thread of the process acts as it (a worker thread begins its own invocation)."""
    _process[0] = Actor(who, via)


def current() -> Actor:
    return invocation.current().actor or _process[0]
