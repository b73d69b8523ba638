"""Opaque paging cursors: a DynamoDB ``LastEvaluatedKey`` bound to the query
it came from and signed, so a client can neither forge a key into another
partition nor replay a cursor against a different search."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from chalicelib.core.errors import Invalid
from chalicelib.store import secrets
from chalicelib.store.entities import TABLE_KEY

_SIG_BYTES = 12


def _sign(payload: bytes) -> bytes:
    return hmac.new(secrets.signing_key(), payload, hashlib.sha256).digest()[:_SIG_BYTES]


def encode(scope: str, last_key: dict[str, Any] | None) -> str | None:
    """``last_key`` is a low-level (typed) LastEvaluatedKey, or None at the end."""
    if not last_key:
        return None
    plain = {k: v["S"] for k, v in last_key.items()}
    payload = json.dumps({"s": scope, "k": plain}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload + _sign(payload)).decode().rstrip("=")


def decode(scope: str, cursor: str | None, key_names: tuple[str, ...] = TABLE_KEY) -> dict[str, Any] | None:
    """The ExclusiveStartKey for ``scope``, or ``Invalid`` naming ``cursor``."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload, sig = raw[:-_SIG_BYTES], raw[-_SIG_BYTES:]
        if not hmac.compare_digest(sig, _sign(payload)):
            raise ValueError("signature")
        data = json.loads(payload)
        keys = data["k"]
        if data["s"] != scope or not all(isinstance(v, str) for v in keys.values()):
            raise ValueError("scope")
        if set(keys) != set(key_names):  # a start key names exactly the listing's keys
            raise ValueError("keys")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise Invalid("cursor: not a cursor of this listing; start again without it") from None
    return {k: {"S": v} for k, v in keys.items()}
