"""Desk sessions: an agent signs in once a shift with their personal key and
the browser keeps a signed, expiring cookie instead.

The cookie names the key (by its stored hash, never the key), the key's role
and when it was issued; it is HMAC-signed with the signing secret. Every
request checks it against the key's record (one GetItem, as the API's
authorizer does for a key): a revoked or expired key, or a sign-out after the
session began, ends it at once. Forms carry a CSRF token derived from the
session, so another site cannot submit them even where the cookie is sent.

An OpenID Connect provider (a Cognito user pool, say) would replace only
``sign_in``: the rest needs a name, a role and a revocable record.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from chalicelib.core.errors import Forbidden, Unauthorized
from chalicelib.core.settings import get_settings
from chalicelib.domain.values import parse_datetime
from chalicelib.services.access import apikeys
from chalicelib.store import secrets as secret_store

COOKIE = "cim_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
MAX_COOKIE_CHARS = 1000


@dataclass(frozen=True)
class Session:
    key_hash: str
    name: str
    role: str
    issued: int  # milliseconds: a sign-out ends the sessions issued before it, not one made just after
    expires: int  # seconds
    sid: str

    @property
    def csrf(self) -> str:
        """The token every form of this session carries (and nothing else can compute)."""
        return _mac(f"csrf:{self.sid}")[:43]


def _mac(text: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret_store.signing_key(), text.encode(), hashlib.sha256).digest()
                                    ).decode().rstrip("=")


def sign_in(key: str) -> tuple[Session, str]:
    """A new session for a personal key, and its cookie value; Unauthorized otherwise."""
    key_hash = apikeys.personal_key_hash(key)
    caller = apikeys.by_hash(key_hash) if key_hash else None
    if caller is None:
        raise Unauthorized("That key is not a valid personal key: it is unknown, expired or revoked. "
                           "Ask an administrator for your own.")
    now = time.time()
    session = Session(key_hash, caller.name, caller.role, int(now * 1000),
                      int(now + get_settings().session_hours * 3600), secrets.token_urlsafe(12))
    payload = base64.urlsafe_b64encode(json.dumps(
        {"k": key_hash, "n": caller.name, "r": caller.role, "i": session.issued, "e": session.expires, "s": session.sid},
        separators=(",", ":")).encode()).decode().rstrip("=")
    return session, f"{payload}.{_mac(payload)}"


def current(cookie: str | None) -> Session | None:
    """The session a cookie value carries, if it is genuine, unexpired and its key still stands."""
    if not cookie or len(cookie) > MAX_COOKIE_CHARS or cookie.count(".") != 1:
        return None
    payload, mac = cookie.split(".")
    if not hmac.compare_digest(mac.encode(), _mac(payload).encode()):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        session = Session(str(data["k"]), str(data["n"]), str(data["r"]), int(data["i"]), int(data["e"]),
                          str(data["s"]))
    except (ValueError, KeyError, TypeError):
        return None
    if session.expires <= time.time():
        return None
    caller = apikeys.by_hash(session.key_hash)
    if caller is None or caller.role != session.role:
        return None
    ended = parse_datetime(caller.signed_out_at) if caller.signed_out_at else None
    if ended is not None and ended.timestamp() * 1000 >= session.issued:
        return None
    return session


def check_csrf(session: Session, given: str | None) -> None:
    if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
        raise Forbidden("this form has expired or did not come from the desk; reload the page and try again")


def sign_out(session: Session) -> None:
    """End every session of this key that began until now (the agent's other tabs and browsers too)."""
    apikeys.sign_out(session.key_hash)
