"""The contact-center sync: ``POST /rci/contacts`` (the push webhook, signed
with ``X-CIM-Signature: sha256=<HMAC of the raw body>``), ``GET /rci/sync``
(state and recent runs) and ``POST /rci/sync`` (run a pull now)."""
from __future__ import annotations

import json

from chalice import Blueprint

from chalicelib.api.http import endpoint, render
from chalicelib.errors import Invalid, TooLarge
from chalicelib.services import rci_sync
from chalicelib.settings import get_settings

bp = Blueprint(__name__)


@bp.route("/rci/contacts", methods=["POST"])
@endpoint
def push_contacts():
    request = bp.current_request
    raw = request.raw_body or b""
    if len(raw) > get_settings().max_body_bytes:
        raise TooLarge(f"body: larger than {get_settings().max_body_bytes} bytes")
    rci_sync.check_signature(raw, (request.headers or {}).get("x-cim-signature"))
    try:
        batch = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Invalid("body: malformed JSON") from None
    if not isinstance(batch, (dict, list)):
        raise Invalid("body: a record (object) or an array of records")
    results = rci_sync.push(batch)
    counts = {k: sum(1 for r in results if r["outcome"] == k) for k in ("stored", "updated", "unchanged", "rejected")}
    return render({"results": results, "counts": counts})


@bp.route("/rci/sync", methods=["GET"])
@endpoint
def sync_status():
    return render(rci_sync.status())


@bp.route("/rci/sync", methods=["POST"])
@endpoint
def sync_now():
    return render(rci_sync.run())
