"""Who may call what: the API-key authorizer, and ``protect``, which puts it
on every route whose declaration (``routing.Area.route``) names a role.

Every route of the app must be declared through ``routing``: ``protect``
refuses to start an app with a route that was not.
"""
from __future__ import annotations

import re
from typing import Any

from chalice import AuthResponse, AuthRoute, Chalice

from chalicelib.api.routing import OPERATIONS
from chalicelib.core.roles import PUBLIC, may

# API Gateway caches the authorizer's answer per key this long: a revoked key
# stops working within a minute.
AUTH_CACHE_SECONDS = 60



def role_table() -> dict[tuple[str, str], str]:
    """(method, path) -> the role a route needs, from the route declarations."""
    return {key: operation.role for key, operation in OPERATIONS.items()}


def allowed(role: str, method: str, path: str) -> bool:
    operation = OPERATIONS.get((method, path))
    return operation is not None and may(role, operation.role)


def routes_for(role: str) -> list[AuthRoute]:
    """The routes a role may call, as policy resources (path parameters as ``*``)."""
    by_path: dict[str, list[str]] = {}
    for (method, path), needed in role_table().items():
        if needed != PUBLIC and allowed(role, method, path):
            by_path.setdefault(re.sub(r"\{[^}]+\}", "*", path), []).append(method)
    return [AuthRoute(path, sorted(methods)) for path, methods in sorted(by_path.items())]


def authorize(auth_request: Any) -> AuthResponse:
    """The built-in authorizer: a known key gets the routes of its role; an
    unknown, expired or revoked one is a 401."""
    from chalicelib.services.access import apikeys

    caller = apikeys.authenticate(auth_request.token)
    if caller is None:
        raise _unauthorized()
    return AuthResponse(routes=routes_for(caller.role), principal_id=caller.name,
                        context={"role": caller.role, "key_name": caller.name})


def _unauthorized() -> Exception:
    """API Gateway answers 401 when an authorizer raises "Unauthorized";
    ``chalice local`` and its test client need their own exception for it."""
    try:
        from chalice.local import NotAuthorizedError
    except ImportError:  # in Lambda, where chalice.local is not packaged
        return Exception("Unauthorized")
    return NotAuthorizedError(
        {"x-amzn-ErrorType": "UnauthorizedException"}, b'{"message":"Unauthorized"}')


def protect(app: Chalice) -> None:
    """Put the API-key authorizer on every route that is not public."""
    authorizer = app.authorizer(ttl_seconds=AUTH_CACHE_SECONDS, name="api_key")(authorize)
    unknown = sorted((m, p) for p, methods in app.routes.items() for m in methods if (m, p) not in OPERATIONS)
    if unknown:
        raise RuntimeError(f"routes not declared through chalicelib/api/routing.py: {unknown}")
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            if OPERATIONS[(method, path)].role != PUBLIC:
                entry.authorizer = authorizer
                entry.authorizer_name = authorizer.name
