"""The service's public address, for the URLs it writes (links in pages,
``Location`` headers, short links, screen-pop links).

``CIM_PUBLIC_BASE_URL`` when set (a custom domain, or ``make run``'s
address); else what the request itself says (kept on the invocation): its host and, on API Gateway's
own ``execute-api`` host, the stage prefix (``/api``). The route wrapper
sets it for each request; outside a request (a Lambda trigger) only the
setting counts.
"""
from __future__ import annotations

from chalicelib.core import invocation
from chalicelib.core.settings import get_settings


def set_request_base(base: str | None) -> None:
    invocation.current().public_base = base


def base_url() -> str:
    return (get_settings().public_base_url or invocation.current().public_base or "").rstrip("/")


def url(path: str) -> str:
    """``path`` (from the API's root, e.g. ``/screenpop?...``) as the outside reaches it."""
    return base_url() + path
