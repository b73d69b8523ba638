"""``Idempotency-Key``: a client that retries a create (after a timeout, a
503, a dropped connection) sends the same key, and gets the first answer
instead of a second contact, key, erasure or job. The key is scoped to the
caller and the route; kept ``KEEP_SECONDS`` (a day). The same key with a
different body is a 409; while the first request still runs, a retry is a
409 too (come back in a moment). An answer of 5xx is not kept: the retry
runs the request again."""
from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from chalicelib.core.errors import Conflict, Invalid
from chalicelib.store import idempotency as store

KEEP_SECONDS = 24 * 3600
MAX_KEY_CHARS = 255
# Printable ASCII, no space at either end (what a header carries unchanged): a UUID is the usual choice.
KEY_PATTERN = r"^[\u0021-\u007e]([\u0020-\u007e]*[\u0021-\u007e])?$"
log = logging.getLogger("cim")
_current: ContextVar[str | None] = ContextVar("idempotency", default=None)


def derived_id() -> str | None:
    """The id a create made under an ``Idempotency-Key`` gives what it makes,
    so that a retry after a first attempt that stored its item but failed
    afterwards finds that item instead of making a second one."""
    made = _current.get()
    return hashlib.sha256(f"id:{made}".encode()).hexdigest()[:32].upper() if made else None


def digest(caller: str, route: str, idempotency_key: str) -> str:
    if not idempotency_key or len(idempotency_key) > MAX_KEY_CHARS:
        raise Invalid(f"Idempotency-Key: 1 to {MAX_KEY_CHARS} characters")
    if not re.fullmatch(KEY_PATTERN, idempotency_key):
        raise Invalid("Idempotency-Key: printable ASCII characters (a UUID, say)")
    return hashlib.sha256("\x1f".join((caller, route, idempotency_key)).encode()).hexdigest()


def once(caller: str, route: str, idempotency_key: str, body: bytes,
         run: Callable[[], tuple[int, Any, dict[str, str]]]) -> tuple[int, Any, dict[str, str], bool]:
    """(status, body, headers, replayed) of the first request with this key."""
    made = digest(caller, route, idempotency_key)
    body_hash = hashlib.sha256(body or b"").hexdigest()
    expiry = int(time.time()) + KEEP_SECONDS
    found = store.claim(made, body_hash, expiry)
    if found is not None:
        if found.body_hash != body_hash:
            raise Conflict("Idempotency-Key: already used with another body; use a new key for a new request")
        if found.state != "answered" or found.answer is None:
            raise Conflict("Idempotency-Key: the first request with this key is still running; retry in a moment",
                           retry_after=1)
        answer = found.answer
        return int(answer["status"]), json.loads(answer["body"]), dict(answer.get("headers") or {}), True
    token = _current.set(made)
    try:
        status, answer_body, headers = run()
    except BaseException:
        store.release(made)
        raise
    finally:
        _current.reset(token)
    if status >= 500:
        store.release(made)
        return status, answer_body, headers, False
    answer = {"status": status, "body": json.dumps(answer_body), "headers": headers}
    for attempt in range(3):
        try:
            store.answered(made, body_hash, expiry, answer)
            break
        except Exception as error:  # noqa: BLE001 - the request succeeded: its answer is not turned into a failure
            log.warning("idempotency answer not kept (%s)", type(error).__name__)
            time.sleep(0.05 * 2 ** attempt)
    return status, answer_body, headers, False
