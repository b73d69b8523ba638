"""The contact-center sync: ``POST /rci/contacts`` (the push webhook, signed
with ``X-CIM-Signature: sha256=<HMAC of "<X-CIM-Timestamp>.<raw body>">``), ``GET /rci/sync``
(state and recent runs) and ``POST /rci/sync`` (run a pull now)."""
from __future__ import annotations

from typing import Any

from chalicelib.api.http import parse_json, raw_body, to_response
from chalicelib.api.routing import Area
from chalicelib.core.roles import ADMIN, PUBLIC
from chalicelib.models.sync import PushResult, SyncRun, SyncStatus

area = Area(__name__, "Contact-center sync")
bp = area.blueprint
PUSH_EXAMPLE = {"id": "E936C400B22311D38FBE0090279A922E", "contactGroupId": "E936C499B22311D38FBE0090279A922E",
                "channel": "PHONE", "type": "CallIn", "status": "Handled_AOT", "source": "0401234567",
                "destination": "320", "arrivalTime": "2016-02-01T09:22:11.000Z", "handlingDuration": 323000}


# Public: the HMAC signature of the body is the credential.
@area.route("POST", "/rci/contacts", role=PUBLIC,
            summary="Push contact-center records (X-CIM-Signature: sha256=<HMAC of timestamp.body>, "
                    "X-CIM-Timestamp: Unix seconds)",
            request=dict[str, Any] | list[dict[str, Any]], response=PushResult, errors=(400, 401, 413, 503),
            example=PUSH_EXAMPLE, request_headers=("X-CIM-Signature", "X-CIM-Timestamp"))
def push_contacts():
    from chalicelib.services.sync import rci_sync
    request = area.request
    raw = raw_body(request)
    # The signature covers the raw bytes: check it before reading them.
    headers = request.headers or {}
    rci_sync.check_signature(raw, headers.get("x-cim-signature"), headers.get("x-cim-timestamp"))
    # Numbers are checked per record: one bad record is rejected alone.
    results = rci_sync.push(parse_json(raw, arrays=True, numbers=False))
    outcomes = ("stored", "updated", "unchanged", "rejected", "failed")
    counts = {k: sum(1 for r in results if r["outcome"] == k) for k in outcomes}
    if counts["failed"]:  # a passing fault: send the same batch again (what is stored answers "unchanged")
        return to_response(PushResult(results=results, counts=counts), status=503, headers={"Retry-After": "5"})
    return to_response(PushResult(results=results, counts=counts))


@area.route("GET", "/rci/sync", role=ADMIN, summary="The sync's watermark and recent runs", response=SyncStatus,
            errors=())
def sync_status():
    from chalicelib.services.sync import rci_sync
    return to_response(rci_sync.status())


@area.route("POST", "/rci/sync", role=ADMIN, summary="Pull from the contact center now", response=SyncRun,
            errors=(409, 422))
def sync_now():
    from chalicelib.services.sync import rci_sync
    return to_response(rci_sync.run())
