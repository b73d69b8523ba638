"""API keys: random 256-bit secrets, kept only as SHA-256 hashes, each with a
role. The bootstrap admin key comes from settings (or SSM in AWS)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.errors import Conflict, NotFound
from chalicelib.models.apikey import ApiKey, KeyRequest, NewApiKey
from chalicelib.services.clock import iso, new_id, now_iso
from chalicelib.services.ids import check_id
from chalicelib.services.values import parse_datetime
from chalicelib.settings import get_settings
from chalicelib.store import keys, records
from chalicelib.store import secrets as secret_store

ROLES = ("ivr", "agent", "admin")
TOUCH_EVERY = timedelta(minutes=1)
KEY_PREFIX = "cim_"


@dataclass(frozen=True)
class Caller:
    name: str
    role: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(request: KeyRequest) -> NewApiKey:
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    stored = ApiKey(id=new_id(), name=request.name, role=request.role, created_at=now_iso(),
                    expires_at=iso(parse_datetime(request.expires_at)) if request.expires_at else None)
    records.put(keys.api_key(_hash(secret)), stored.model_dump(), new=True)
    return NewApiKey(**stored.model_dump(), key=secret)


def _all() -> list[tuple[str, dict]]:
    return [(r["SK"], r) for r in records.read_partition(keys.API_KEYS_PK, None, keep_keys=True)]


def list_keys() -> list[ApiKey]:
    return sorted((ApiKey.model_validate(r) for _, r in _all()), key=lambda k: k.created_at)


def revoke(key_id: str) -> ApiKey:
    check_id(key_id)
    for key_hash, record in _all():
        if record["id"] == key_id:
            kept = {k: v for k, v in record.items() if k not in ("PK", "SK")} | {"revoked": True}
            records.put(keys.api_key(key_hash), kept)
            return ApiKey.model_validate(kept)
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
        return Caller(name="bootstrap-admin", role="admin")
    key_hash = _hash(key)
    record = records.get(keys.api_key(key_hash))
    if record is None or record.get("revoked"):
        return None
    now = datetime.now(UTC)
    if record.get("expires_at") and parse_datetime(record["expires_at"]) <= now:
        return None
    last = record.get("last_used_at")
    if last is None or parse_datetime(last) <= now - TOUCH_EVERY:
        try:  # at most once a minute, and never at the cost of the request
            records.put(keys.api_key(key_hash), record | {"last_used_at": iso(now)},
                        expect={"last_used_at": last} if last else None)
        except Conflict:
            pass  # a concurrent request touched it first
    return Caller(name=record["name"], role=record["role"])
