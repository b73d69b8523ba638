"""Single sign-on for the desk: OpenID Connect's authorization code flow with
PKCE, against any provider that publishes its discovery document (Amazon
Cognito, Entra ID, Okta, Keycloak).

The browser is sent to the provider with a fresh ``state``, ``nonce`` and
PKCE verifier, kept in a short-lived signed cookie (no server-side state).
The provider sends it back with a code, which is exchanged for an ID token
at the token endpoint; the token is verified with ``joserfc``: its signature
against the provider's published keys (fetched again once when a token names
a key not yet seen: keys rotate), issuer, audience, nonce, expiry. The
agent's role comes from a group claim mapped by ``CIM_OIDC_ROLES``; a user
in no mapped group is refused. Their desk session ends when the ID token
does (or the desk's own session limit, if sooner).

joserfc (and its cryptography) is imported only here, on a sign-in: no
other request pays for it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import Forbidden, Invalid, Unauthorized, Unavailable
from chalicelib.core.roles import ADMIN, AGENT
from chalicelib.core.settings import Settings, get_settings
from chalicelib.store import secrets as secret_store

FLOW_COOKIE = "cim_sso"
FLOW_SECONDS = 600  # from leaving for the provider to coming back
METADATA_SECONDS = 3600
KEYS_REFETCH_SECONDS = 60  # at most one fetch of the keys a minute for unknown key ids
HTTP_SECONDS = 5
LEEWAY_SECONDS = 60  # clock skew allowed on exp/iat
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384")
ROLE_ORDER = (AGENT, ADMIN)

_lock = threading.Lock()
_metadata: dict[str, tuple[float, dict[str, Any]]] = {}
_keys: dict[str, tuple[float, dict[str, Any]]] = {}


@dataclass(frozen=True)
class Agent:
    """Who the provider says signed in."""
    subject_hash: str  # issuer and subject, hashed: the desk's record of them
    name: str  # "Name (e-mail)" as the desk and the audit trail show it
    email: str | None
    role: str
    expires: int  # seconds: when the ID token does


def enabled(settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    return bool(settings.oidc_issuer and settings.oidc_client_id)


def role_map(text: str) -> dict[str, str]:
    """``"cc-agents=agent,cc-admins=admin"`` as a dict; a role other than
    agent or admin is a configuration error, named."""
    mapped = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        group, _, role = pair.partition("=")
        if role.strip() not in ROLE_ORDER or not group.strip():
            raise Unavailable(f"CIM_OIDC_ROLES: {pair!r} is not group=agent or group=admin")
        mapped[group.strip()] = role.strip()
    return mapped


def role_of(claims: dict[str, Any], settings: Settings) -> str | None:
    """The highest role any of the user's groups maps to, or None."""
    groups = claims.get(settings.oidc_role_claim)
    if isinstance(groups, str):
        groups = groups.replace(",", " ").split()
    if not isinstance(groups, list):
        return None
    mapped = role_map(settings.oidc_roles)
    roles = {mapped[g] for g in groups if isinstance(g, str) and g in mapped}
    return max(roles, key=ROLE_ORDER.index) if roles else None


# --- the provider ---------------------------------------------------------------

def _fetch_json(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Any:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    asked = urllib.request.Request(url, data=body, headers={"Accept": "application/json"} | (headers or {}))
    try:
        with urllib.request.urlopen(asked, timeout=HTTP_SECONDS) as reply:  # noqa: S310 - the configured provider
            return json.loads(reply.read(1_000_000))
    except urllib.error.HTTPError as error:
        detail = error.read(2000).decode("utf-8", "replace")
        try:
            detail = json.loads(detail).get("error_description") or json.loads(detail).get("error") or detail
        except (ValueError, AttributeError):
            pass
        raise Unauthorized(f"the identity provider refused: {str(detail)[:200]}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        raise Unavailable(f"the identity provider cannot be reached ({type(error).__name__})") from None


def metadata(settings: Settings | None = None) -> dict[str, Any]:
    """The provider's discovery document (cached an hour per container)."""
    issuer = (settings or get_settings()).oidc_issuer.rstrip("/")
    with _lock:
        cached = _metadata.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    found = _fetch_json(f"{issuer}/.well-known/openid-configuration")
    for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(found.get(needed), str):
            raise Unavailable(f"the identity provider's discovery document has no {needed}")
    with _lock:
        _metadata[issuer] = (time.monotonic() + METADATA_SECONDS, found)
    return found


def _key_set(jwks_uri: str, fresh: bool) -> dict[str, Any]:
    with _lock:
        cached = _keys.get(jwks_uri)
    if cached and not (fresh and cached[0] + KEYS_REFETCH_SECONDS < time.monotonic()):
        return cached[1]
    found = _fetch_json(jwks_uri)
    with _lock:
        _keys[jwks_uri] = (time.monotonic(), found)
    return found


def forget_provider() -> None:
    """Drop the cached discovery document and keys (tests switch providers)."""
    with _lock:
        _metadata.clear()
        _keys.clear()


# --- the flow ---------------------------------------------------------------------

def _mac(text: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret_store.signing_key(), f"sso:{text}".encode(),
                                             hashlib.sha256).digest()).decode().rstrip("=")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def start(redirect_uri: str, next_path: str) -> tuple[str, str]:
    """Where to send the browser, and the flow cookie's value (state, nonce,
    PKCE verifier and where to go after, signed and expiring)."""
    settings = get_settings()
    found = metadata(settings)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    challenge = _b64(hashlib.sha256(verifier.encode()).digest())
    query = {"response_type": "code", "client_id": settings.oidc_client_id, "redirect_uri": redirect_uri,
             "scope": settings.oidc_scopes, "state": state, "nonce": nonce,
             "code_challenge": challenge, "code_challenge_method": "S256"}
    endpoint = found["authorization_endpoint"]
    url = endpoint + ("&" if "?" in endpoint else "?") + urllib.parse.urlencode(query)
    payload = _b64(json.dumps({"s": state, "n": nonce, "v": verifier, "x": next_path,
                               "e": int(time.time()) + FLOW_SECONDS}, separators=(",", ":")).encode())
    return url, f"{payload}.{_mac(payload)}"


def flow_of(cookie: str | None, state: str | None) -> dict[str, Any]:
    """The flow a callback belongs to: its cookie genuine, unexpired and for this ``state``."""
    if not cookie or cookie.count(".") != 1 or len(cookie) > 2000:
        raise Unauthorized("this sign-in was not started here or took too long; sign in again")
    payload, mac = cookie.split(".")
    if not hmac.compare_digest(mac.encode(), _mac(payload).encode()):
        raise Unauthorized("this sign-in was not started here; sign in again")
    flow = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if flow["e"] <= time.time():
        raise Unauthorized("this sign-in took longer than ten minutes; sign in again")
    if not state or not hmac.compare_digest(str(state).encode(), flow["s"].encode()):
        raise Unauthorized("this answer from the identity provider is not for this sign-in; sign in again")
    return flow


def _client_secret(settings: Settings) -> str | None:
    if settings.oidc_client_secret:
        return settings.oidc_client_secret
    if settings.oidc_client_secret_parameter:
        return secret_store.parameter(settings.oidc_client_secret_parameter)
    return None  # a public client: PKCE alone


def finish(code: str, redirect_uri: str, flow: dict[str, Any]) -> Agent:
    """Exchange the code for an ID token and verify it: who signed in."""
    settings = get_settings()
    if not code or len(code) > 4000:
        raise Invalid("the identity provider sent no code")
    found = metadata(settings)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": flow["v"], "client_id": settings.oidc_client_id}
    headers = {}
    secret = _client_secret(settings)
    if secret:  # client_secret_basic, the method every provider supports
        pair = f"{urllib.parse.quote(settings.oidc_client_id, safe='')}:{urllib.parse.quote(secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    tokens = _fetch_json(found["token_endpoint"], form, headers)
    id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
    if not isinstance(id_token, str):
        raise Unauthorized("the identity provider answered no ID token")
    claims = verify(id_token, flow["n"], settings, found["jwks_uri"])
    role = role_of(claims, settings)
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    shown = str(claims.get("name") or claims.get("preferred_username") or email or claims["sub"])[:100]
    name = f"{shown} ({email})" if email and email != shown else shown
    if role is None:
        raise Forbidden(f"{name} is signed in at the identity provider but in no group that may use the desk "
                        f"(the {settings.oidc_role_claim} claim); ask your administrator to add you")
    subject = hashlib.sha256(f"{found.get('issuer') or settings.oidc_issuer}|{claims['sub']}".encode()).hexdigest()
    return Agent(subject, name, email, role, int(claims["exp"]))


def verify(id_token: str, nonce: str, settings: Settings, jwks_uri: str) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, nonce and
    times hold; Unauthorized naming what does not."""
    from joserfc import jwt
    from joserfc.errors import (
        BadSignatureError,
        ExpiredTokenError,
        InvalidClaimError,
        JoseError,
        MissingClaimError,
    )
    from joserfc.jwk import KeySet

    token = None
    for fresh in (False, True):  # a key id not seen yet: the provider rotated its keys
        keys = KeySet.import_key_set(_key_set(jwks_uri, fresh))
        try:
            token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
            break
        except BadSignatureError:
            raise Unauthorized("the ID token's signature is not the identity provider's") from None
        except (ValueError, JoseError) as error:
            if fresh:
                raise Unauthorized(f"the ID token cannot be verified ({type(error).__name__})") from None
    issuer = settings.oidc_issuer.rstrip("/")
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS, iss={"essential": True, "values": [issuer, issuer + "/"]},
        aud={"essential": True, "value": settings.oidc_client_id}, sub={"essential": True},
        exp={"essential": True}, nonce={"essential": True, "value": nonce})
    try:
        registry.validate(token.claims)
    except ExpiredTokenError:
        raise Unauthorized("the ID token has expired; sign in again") from None
    except (MissingClaimError, InvalidClaimError) as error:
        raise Unauthorized(f"the ID token is not for this desk: {error.description}") from None
    return token.claims


def end_session_url(after: str) -> str | None:
    """Where to end the provider's session too (RP-initiated logout), coming
    back to ``after``; None when the provider offers no end-session endpoint
    or cannot be reached (our own session is over either way)."""
    settings = get_settings()
    try:
        endpoint = metadata(settings).get("end_session_endpoint")
    except Unavailable:
        return None
    if not isinstance(endpoint, str):
        return None
    query = urllib.parse.urlencode({"client_id": settings.oidc_client_id, "post_logout_redirect_uri": after})
    return endpoint + ("&" if "?" in endpoint else "?") + query
