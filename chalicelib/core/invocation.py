"""One context an invocation: what the code below a route or a Lambda
function may ask about the request it serves. Its id (API Gateway's request
id, the Lambda request id, or one made here), who acts and through what (the
audit trail's "who" and "via"), the public base URL the request reached, and
the desk session, and what it cost (the DynamoDB calls and capacity units
``core/metering`` counts, against the request's call cap). The one
middleware every event goes through begins it (``api/requestlog``); the
route wrapper fills it in.

A ``ContextVar``: each thread (a request of ``chalice local``, a test's
racing writer) and each Lambda invocation sees its own.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    who: str  # a key's name, "desk:<agent>", or a system name such as "amazon-connect"
    via: str  # the route ("PUT /contacts/{contact_id}") or the trigger


@dataclass
class Invocation:
    request_id: str
    actor: Actor | None = None
    public_base: str | None = None  # scheme, host and stage the request reached
    session: Any = None  # the signed-in agent's desk session
    # DynamoDB operations made and units consumed; None: not counted (a scheduled run, uncapped)
    calls: list[str] | None = field(default_factory=list)
    units: dict[str, float] | None = field(default_factory=lambda: {"read": 0.0, "write": 0.0})


_current: ContextVar[Invocation | None] = ContextVar("invocation", default=None)
_event: ContextVar[str | None] = ContextVar("event", default=None)


def begin(request_id: str | None = None, *, counted: bool = True) -> Invocation:
    """A new invocation: nothing of the previous one on this thread carries
    over. ``counted``: its DynamoDB calls are counted and capped (a request,
    a Lambda function's event)."""
    invocation = Invocation(request_id=request_id or uuid.uuid4().hex)
    if not counted:
        invocation.calls, invocation.units = None, None
    _current.set(invocation)
    _event.set(None)
    return invocation


def current_id() -> str | None:
    """The id of this invocation, if one began (a log line names it)."""
    now = _current.get()
    return now.request_id if now else None


@contextmanager
def handling(event_id: object) -> Iterator[None]:
    """While one record of a batch is handled (a Kinesis or DynamoDB stream
    record, a queue message), every log line names it (``eventId``) beside
    the invocation: a batch of a hundred has one request id. A variable of
    its own, not a field of the invocation: a batch's lanes are handled on
    threads at once, each in a copy of the context."""
    token = _event.set(str(event_id)[:128] if event_id and str(event_id).isprintable() else None)
    try:
        yield
    finally:
        _event.reset(token)


def current_event_id() -> str | None:
    return _event.get()


def current() -> Invocation:
    """This invocation; a tool or a test that began none gets one, uncounted
    (``cim sync`` runs to the end, not to a request's cap)."""
    return _current.get() or begin(counted=False)
