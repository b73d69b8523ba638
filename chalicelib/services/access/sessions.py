"""Desk sessions: an agent signs in once a shift with their personal key and
the browser keeps a signed, expiring cookie instead.

The cookie names the key (by its stored hash, never the key), the key's role
and when it was issued; it is HMAC-signed with the signing secret. Every
request checks it against the key's record (one GetItem, as the API's
authorizer does for a key): a revoked or expired key, or a sign-out after the
session began, ends it at once. Forms carry a CSRF token derived from the
session, so another site cannot submit them even where the cookie is sent.

An agent who signs in through the company's identity provider
(``services/access/oidc``) gets the same cookie, naming their desk record
(``sso:`` and a hash of issuer and subject) instead of a key: the record
carries their role and sign-out time, and the session ends when their ID
token does.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from chalicelib.core.clock import now_iso
from chalicelib.core.errors import Forbidden, Unauthorized
from chalicelib.core.settings import get_settings
from chalicelib.domain.values import parse_datetime
from chalicelib.services.access import apikeys, oidc
from chalicelib.store import deskusers as desk_users
from chalicelib.store import secrets as secret_store

COOKIE = "cim_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
MAX_COOKIE_CHARS = 1000
SSO_PREFIX = "sso:"


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
    return _issue(key_hash, caller.name, caller.role, int(now + get_settings().session_hours * 3600))


def sign_in_agent(agent: oidc.Agent) -> tuple[Session, str]:
    """A new session for an agent the identity provider vouched for: their
    desk record written, the session no longer than their ID token."""
    desk_users.signed_in(agent.subject_hash, agent.name, agent.email, agent.role, now_iso())
    expires = min(agent.expires, int(time.time() + get_settings().session_hours * 3600))
    return _issue(SSO_PREFIX + agent.subject_hash, agent.name, agent.role, expires)


def _issue(key_hash: str, name: str, role: str, expires: int) -> tuple[Session, str]:
    session = Session(key_hash, name, role, int(time.time() * 1000), expires, secrets.token_urlsafe(12))
    payload = base64.urlsafe_b64encode(json.dumps(
        {"k": key_hash, "n": name, "r": role, "i": session.issued, "e": session.expires, "s": session.sid},
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
    caller = _holder(session.key_hash)
    if caller is None or caller.role != session.role:
        return None
    ended = parse_datetime(caller.signed_out_at) if caller.signed_out_at else None
    if ended is not None and ended.timestamp() * 1000 >= session.issued:
        return None
    return session


def _holder(key_hash: str) -> apikeys.Caller | None:
    """The record a session stands on: its key's, or its provider-signed agent's."""
    if not key_hash.startswith(SSO_PREFIX):
        return apikeys.by_hash(key_hash)
    agent = desk_users.get(key_hash[len(SSO_PREFIX):])
    return apikeys.Caller(agent.name, agent.role, agent.signed_out_at) if agent else None


def is_sso(session: Session) -> bool:
    return session.key_hash.startswith(SSO_PREFIX)


def check_csrf(session: Session, given: str | None) -> None:
    if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
        raise Forbidden("this form has expired or did not come from the desk; reload the page and try again")


def sign_out(session: Session) -> None:
    """End every session of this key (or provider-signed agent) that began
    until now (the agent's other tabs and browsers too)."""
    if is_sso(session):
        desk_users.sign_out(session.key_hash[len(SSO_PREFIX):], now_iso())
    else:
        apikeys.sign_out(session.key_hash)
