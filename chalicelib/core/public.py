"""The service's public address, for the URLs it writes (links in pages,
``Location`` headers, short links, screen-pop links).

``CIM_PUBLIC_BASE_URL`` when set (a custom domain, or ``make run``'s
address); else what the request itself says: its host and, on API Gateway's
own ``execute-api`` host, the stage prefix (``/api``). The route wrapper
sets it for each request; outside a request (a Lambda trigger) only the
setting counts.
"""
from __future__ import annotations

from contextvars import ContextVar

from chalicelib.core.settings import get_settings

_request_base: ContextVar[str | None] = ContextVar("public_base", default=None)


def set_request_base(base: str | None) -> None:
    _request_base.set(base)


def base_url() -> str:
    return (get_settings().public_base_url or _request_base.get() or "").rstrip("/")


def url(path: str) -> str:
    """``path`` (from the API's root, e.g. ``/screenpop?...``) as the outside reaches it."""
    return base_url() + path
