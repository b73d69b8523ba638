"""The Chalice app object, with the request it answers kept per thread.

Chalice keeps the request being answered on the app (``app.current_request``).
Lambda answers one request at a time in a process, but ``make run``'s server
and the test client answer concurrent requests on threads; with one shared
attribute, a route could read another thread's request (its body, its
path) and store it under the wrong call."""
from __future__ import annotations

import threading
from typing import Any

from chalice import Chalice


class CimApp(Chalice):
    _per_thread = threading.local()

    @property  # type: ignore[override]
    def current_request(self) -> Any:
        return getattr(self._per_thread, "request", None)

    @current_request.setter
    def current_request(self, request: Any) -> None:
        self._per_thread.request = request

    @property  # type: ignore[override]
    def lambda_context(self) -> Any:
        return getattr(self._per_thread, "context", None)

    @lambda_context.setter
    def lambda_context(self, context: Any) -> None:
        self._per_thread.context = context
