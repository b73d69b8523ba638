"""Signed, short-lived links: a browser opening a screen pop cannot send an
API key, so a keyed caller asks for a link whose query is signed
(HMAC-SHA256 over the parameters and an expiry)."""
from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

from chalicelib.core.errors import Forbidden
from chalicelib.core.settings import get_settings

SIGNATURE, EXPIRY = "sig", "exp"


def _digest(params: dict[str, str]) -> str:
    canonical = urlencode(sorted((k, v) for k, v in params.items() if k != SIGNATURE))
    secret = get_settings().signing_secret.encode()
    return hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()


def sign(params: dict[str, str], seconds: int | None = None) -> dict[str, str]:
    """``params`` plus an expiry and the signature over both."""
    life = get_settings().screenpop_link_seconds if seconds is None else seconds
    signed = dict(params) | {EXPIRY: str(int(time.time()) + life)}
    return signed | {SIGNATURE: _digest(signed)}


def verify(params: dict[str, str]) -> dict[str, str]:
    """The parameters without the signature, if it is valid and not expired."""
    given = params.get(SIGNATURE, "")
    if not given or not hmac.compare_digest(given.encode(), _digest(params).encode()):
        raise Forbidden("this link is not valid; open the screen pop from your desktop again")
    if not params.get(EXPIRY, "").isdigit() or int(params[EXPIRY]) < time.time():
        raise Forbidden("this link has expired; open the screen pop from your desktop again")
    return {k: v for k, v in params.items() if k not in (SIGNATURE, EXPIRY)}


def query(params: dict[str, str]) -> str:
    return urlencode(params)
