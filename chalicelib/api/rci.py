"""The contact-center sync: ``POST /rci/contacts`` (the push webhook, signed
with ``X-CIM-Signature: sha256=<HMAC of the raw body>``), ``GET /rci/sync``
(state and recent runs) and ``POST /rci/sync`` (run a pull now)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import endpoint, parse_json, raw_body, render
from chalicelib.lazy import lazy

rci_sync = lazy("chalicelib.services.rci_sync")

bp = Blueprint(__name__)


@bp.route("/rci/contacts", methods=["POST"])
@endpoint
def push_contacts():
    request = bp.current_request
    raw = raw_body(request)
    # The signature covers the raw bytes: check it before reading them.
    rci_sync.check_signature(raw, (request.headers or {}).get("x-cim-signature"))
    results = rci_sync.push(parse_json(raw, arrays=True))
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
