"""Signed, short-lived links: a browser opening a screen pop cannot send an
API key, so a keyed caller asks for a link whose query is signed
(HMAC-SHA256 over the parameters and an expiry). The server caps a link's
life at ``CIM_SCREENPOP_LINK_SECONDS`` whatever expiry the link claims, so
even a link signed with a leaked secret cannot live long."""
from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

from chalicelib.core.errors import Forbidden
from chalicelib.core.settings import get_settings
from chalicelib.store import secrets

SIGNATURE, EXPIRY = "sig", "exp"
CLOCK_SKEW_SECONDS = 30


def _digest(params: dict[str, str]) -> str:
    canonical = urlencode(sorted((k, v) for k, v in params.items() if k != SIGNATURE))
    return hmac.new(secrets.signing_key(), canonical.encode(), hashlib.sha256).hexdigest()


def sign(params: dict[str, str], seconds: int | None = None) -> dict[str, str]:
    """``params`` plus an expiry and the signature over both."""
    life = get_settings().screenpop_link_seconds if seconds is None else seconds
    signed = dict(params) | {EXPIRY: str(int(time.time()) + life)}
    return signed | {SIGNATURE: _digest(signed)}


def verify(params: dict[str, str], seconds: int | None = None) -> dict[str, str]:
    """The parameters without the signature, if it is valid, not expired, and
    its expiry no further away than a link may live (``seconds``)."""
    given = params.get(SIGNATURE, "")
    if not given or not hmac.compare_digest(given.encode(), _digest(params).encode()):
        raise Forbidden("this link is not valid; open the screen pop from your desktop again")
    expiry = params.get(EXPIRY, "")
    now = time.time()
    life = get_settings().screenpop_link_seconds if seconds is None else seconds
    if not expiry.isdigit() or len(expiry) > 12 or int(expiry) < now:
        raise Forbidden("this link has expired; open the screen pop from your desktop again")
    if int(expiry) > now + life + CLOCK_SKEW_SECONDS:
        raise Forbidden("this link claims a longer life than links may have; open the screen pop again")
    return {k: v for k, v in params.items() if k not in (SIGNATURE, EXPIRY)}


def query(params: dict[str, str]) -> str:
    return urlencode(params)
