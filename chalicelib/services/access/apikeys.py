"""API keys: random 256-bit secrets, kept only as SHA-256 hashes, each with a
role. The bootstrap admin key comes from settings (or SSM in AWS)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import NotFound
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.roles import ADMIN
from chalicelib.core.settings import get_settings
from chalicelib.domain.values import parse_datetime
from chalicelib.models.apikey import ApiKey, KeyRequest, NewApiKey
from chalicelib.store import apikeys as store
from chalicelib.store import secrets as secret_store

TOUCH_EVERY = timedelta(minutes=1)
KEY_PREFIX = "cim_"


@dataclass(frozen=True)
class Caller:
    name: str
    role: str
    signed_out_at: str | None = None  # desk sessions begun before this are over


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(request: KeyRequest) -> NewApiKey:
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    stored = ApiKey(id=new_id(), name=request.name, role=request.role, created_at=now_iso(),
                    expires_at=iso(parse_datetime(request.expires_at)) if request.expires_at else None)
    store.add(_hash(secret), stored)
    return NewApiKey(**stored.model_dump(), key=secret)


def list_keys() -> list[ApiKey]:
    return sorted((stored.key for stored in store.all_keys()), key=lambda k: k.created_at)


def revoke(key_id: str) -> ApiKey:
    check_id(key_id)
    for stored in store.all_keys():
        if stored.key.id == key_id:
            revoked = store.revoke(stored.key_hash)
            if revoked is not None:
                return revoked
    raise NotFound(f"key {key_id} not found")


def _bootstrap_key() -> str | None:
    settings = get_settings()
    if settings.admin_key:
        return settings.admin_key
    if settings.admin_key_parameter:
        return secret_store.parameter(settings.admin_key_parameter)
    return None


def authenticate(token: str | None) -> Caller | None:
    """The caller a bearer token names, or None (unknown, expired, revoked)."""
    if not token:
        return None
    key = token.strip()
    if key[:7].lower() == "bearer ":
        key = key[7:].strip()
    if not key or len(key) > 200:
        return None
    bootstrap = _bootstrap_key()
    if bootstrap and hmac.compare_digest(key.encode(), bootstrap.encode()):
        return Caller(name="bootstrap-admin", role=ADMIN)
    return by_hash(_hash(key))


def personal_key_hash(token: str) -> str | None:
    """The stored hash of a personal (non-bootstrap) key, or None: the desk
    signs agents in with their own keys, whose revocation ends the session."""
    key = (token or "").strip()
    if not key or len(key) > 200:
        return None
    bootstrap = _bootstrap_key()
    if bootstrap and hmac.compare_digest(key.encode(), bootstrap.encode()):
        return None
    return _hash(key)


def by_hash(key_hash: str) -> Caller | None:
    """The caller of a stored key (one GetItem), or None (unknown, expired, revoked)."""
    stored = store.get(key_hash)
    if stored is None or stored.key.revoked:
        return None
    key, now = stored.key, datetime.now(UTC)
    if key.expires_at and parse_datetime(key.expires_at) <= now:
        return None
    last = key.last_used_at
    if last is None or parse_datetime(last) <= now - TOUCH_EVERY:
        # At most once a minute; conditional on the key not being revoked
        # meanwhile (a lost race is simply not recorded).
        store.touch(key_hash, iso(now), last)
    return Caller(name=key.name, role=key.role, signed_out_at=stored.signed_out_at)


def sign_out(key_hash: str) -> None:
    store.sign_out(key_hash, now_iso())
