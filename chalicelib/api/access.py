"""Who may call what: the API-key authorizer, and ``protect``, which puts it
on every route whose declaration (``routing.Area.route``) names a role.

Every route of the app must be declared through ``routing``: ``protect``
refuses to start an app with a route that was not.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from chalice import AuthResponse, AuthRoute, Chalice

from chalicelib.api.routing import OPERATIONS
from chalicelib.core.roles import PUBLIC

# API Gateway caches the authorizer's answer per key this long: a revoked key
# stops working within a minute.
AUTH_CACHE_SECONDS = 60
UNAUTHORIZED = {"Code": "Unauthorized",
                "Message": "send a valid API key: Authorization: Bearer <key> (it may be unknown, expired or revoked)"}



def role_table() -> dict[tuple[str, str], str]:
    """(method, path) -> the role a route needs, from the route declarations."""
    return {key: operation.role for key, operation in OPERATIONS.items()}


@lru_cache(maxsize=1)
def keyed_routes() -> list[AuthRoute]:
    """Every route that takes a key, as policy resources (path parameters as ``*``).
    A valid key may reach them all; the route checks the key's role
    (``routing``), so a wrong role is our 403, not the gateway's."""
    by_path: dict[str, list[str]] = {}
    for (method, path), needed in role_table().items():
        if needed != PUBLIC and not OPERATIONS[(method, path)].session:
            by_path.setdefault(re.sub(r"\{[^}]+\}", "*", path), []).append(method)
    return [AuthRoute(path, sorted(methods)) for path, methods in sorted(by_path.items())]


def authorize(auth_request: Any) -> AuthResponse:
    """The built-in authorizer: a known key passes with its role in the
    request context; an unknown, expired or revoked one is a 401."""
    from chalicelib.services.access import apikeys

    caller = apikeys.authenticate(auth_request.token)
    if caller is None:
        raise _unauthorized()
    return AuthResponse(routes=keyed_routes(), principal_id=caller.name,
                        context={"role": caller.role, "key_name": caller.name})


def _unauthorized() -> Exception:
    """API Gateway answers 401 when an authorizer raises "Unauthorized" (its
    body is the stage's UNAUTHORIZED gateway response, set by ``make
    package``); ``chalice local`` and its test client need their own
    exception for it, with the same body."""
    try:
        from chalice.local import NotAuthorizedError
    except ImportError:  # in Lambda, where chalice.local is not packaged
        return Exception("Unauthorized")
    return NotAuthorizedError({"x-amzn-ErrorType": "UnauthorizedException", "Content-Type": "application/json"},
                              json.dumps(UNAUTHORIZED).encode())


def protect(app: Chalice) -> None:
    """Put the API-key authorizer on every route that is not public."""
    authorizer = app.authorizer(ttl_seconds=AUTH_CACHE_SECONDS, name="api_key")(authorize)
    unknown = sorted((m, p) for p, methods in app.routes.items() for m in methods if (m, p) not in OPERATIONS)
    if unknown:
        raise RuntimeError(f"routes not declared through chalicelib/api/routing.py: {unknown}")
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            operation = OPERATIONS[(method, path)]
            if operation.role != PUBLIC and not operation.session:  # desk pages check their session
                entry.authorizer = authorizer
                entry.authorizer_name = authorizer.name
