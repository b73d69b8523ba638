"""Headers on every answer: no caching (answers carry personal data), no
content sniffing, no referrer (URLs can carry a caller's number). Pages add
their own Content-Security-Policy (``pages.html_response``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def add_security_headers(event: Any, get_response: Callable[[Any], Any]) -> Any:
    response = get_response(event)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
