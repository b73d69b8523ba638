"""Who may call what: the route -> role table, and the API-key authorizer.

Roles nest: ``ivr`` (lookup, screen-pop links, saving legs) < ``agent``
(contacts, interactions, attachments; reads schema and mapping) < ``admin``
(everything: schema, mapping, keys, sync). ``public`` routes take no key.

Every route of the app must appear in ``ROUTES``: ``protect`` refuses to
start an app with a route the table does not name.
"""
from __future__ import annotations

import re
from typing import Any

from chalice import AuthResponse, AuthRoute, Chalice

PUBLIC, IVR, AGENT, ADMIN = "public", "ivr", "agent", "admin"
RANK = {IVR: 1, AGENT: 2, ADMIN: 3}
# API Gateway caches the authorizer's answer per key this long: a revoked key
# stops working within a minute.
AUTH_CACHE_SECONDS = 60

ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/a/{code}"): PUBLIC,  # the short link is the secret
    ("GET", "/screenpop"): PUBLIC,  # needs a signed link from POST /screenpop/link
    ("POST", "/screenpop/contacts"): PUBLIC,  # needs the signed token of the form
    ("POST", "/rci/contacts"): PUBLIC,  # HMAC-signed body (X-CIM-Signature)

    ("POST", "/contacts/lookup"): IVR,
    ("GET", "/contacts/lookup"): IVR,
    ("POST", "/screenpop/link"): IVR,
    ("POST", "/interactions/updateOrSaveInteractionTree/{call_Id}"): IVR,

    ("POST", "/saveContact"): AGENT,
    ("POST", "/contacts"): AGENT,
    ("POST", "/contacts/bulk"): AGENT,
    ("GET", "/contacts"): AGENT,
    ("GET", "/getContactList"): AGENT,
    ("GET", "/contacts/{contact_id}"): AGENT,
    ("PUT", "/contacts/{contact_id}"): AGENT,
    ("DELETE", "/contacts/{contact_id}"): AGENT,
    ("GET", "/contacts/getContactByName/{name}"): AGENT,
    ("POST", "/contacts/getContactsBySearchTerms"): AGENT,
    ("GET", "/contacts/loadMore/{last_id}"): AGENT,
    ("GET", "/contacts/{contact_id}/interactions"): AGENT,
    ("GET", "/contacts/{contact_id}/attachments"): AGENT,
    ("GET", "/interactions/loadInteractions/{id}"): AGENT,
    ("GET", "/interactions/{call_Id}"): AGENT,
    ("PUT", "/interactions/{call_Id}/contact"): AGENT,
    ("DELETE", "/interactions/{call_Id}/contact"): AGENT,
    ("POST", "/s3attachments"): AGENT,
    ("GET", "/attachments/{attachment_id}"): AGENT,
    ("DELETE", "/attachments/{attachment_id}"): AGENT,
    ("GET", "/getSchema"): AGENT,
    ("GET", "/schema"): AGENT,
    ("GET", "/mapping"): AGENT,

    ("POST", "/saveSchema"): ADMIN,
    ("POST", "/schema"): ADMIN,
    ("PUT", "/schema/{schema_id}"): ADMIN,
    ("DELETE", "/schema/{schema_id}"): ADMIN,
    ("GET", "/schema/jobs/{job_id}"): ADMIN,
    ("POST", "/schema/jobs/{job_id}/run"): ADMIN,
    ("POST", "/mapping"): ADMIN,
    ("PUT", "/mapping/{id}"): ADMIN,
    ("DELETE", "/mapping/{id}"): ADMIN,
    ("POST", "/keys"): ADMIN,
    ("GET", "/keys"): ADMIN,
    ("DELETE", "/keys/{key_id}"): ADMIN,
    ("GET", "/rci/sync"): ADMIN,
    ("POST", "/rci/sync"): ADMIN,
}


def allowed(role: str, method: str, path: str) -> bool:
    needed = ROUTES.get((method, path))
    if needed is None:
        return False
    return needed == PUBLIC or RANK.get(role, 0) >= RANK[needed]


def routes_for(role: str) -> list[AuthRoute]:
    """The routes a role may call, as policy resources (path parameters as ``*``)."""
    by_path: dict[str, list[str]] = {}
    for (method, path), needed in ROUTES.items():
        if needed != PUBLIC and allowed(role, method, path):
            by_path.setdefault(re.sub(r"\{[^}]+\}", "*", path), []).append(method)
    return [AuthRoute(path, sorted(methods)) for path, methods in sorted(by_path.items())]


def authorize(auth_request: Any) -> AuthResponse:
    """The built-in authorizer: a known key gets the routes of its role; an
    unknown, expired or revoked one is a 401."""
    from chalicelib.services import apikeys

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
    unknown = sorted((m, p) for p, methods in app.routes.items() for m in methods if (m, p) not in ROUTES)
    if unknown:
        raise RuntimeError(f"routes missing from the role table in chalicelib/api/access.py: {unknown}")
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            if ROUTES[(method, path)] != PUBLIC:
                entry.authorizer = authorizer
                entry.authorizer_name = authorizer.name
