"""Contact-center records into interaction trees, pushed (the webhook) or
pulled (the scheduled sync), each exactly once.

The pull reads RMI ``/contacts`` from the watermark minus an overlap window,
page by page in arrival order, fetches the ``details`` of finished records,
upserts their legs, and moves the watermark only past records that were
stored (a record that failed for a passing reason, or is still in progress,
holds it back). A lease in the table lets one run at a time move it.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from chalicelib.core import metering, metrics, retention
from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import (
    Conflict,
    DomainError,
    Invalid,
    TooLarge,
    Unauthorized,
    Unavailable,
    Unprocessable,
)
from chalicelib.core.settings import get_settings
from chalicelib.domain import limits
from chalicelib.domain.rci_records import BadRecord, is_finished, to_leg
from chalicelib.domain.values import parse_datetime
from chalicelib.integrations import sinch
from chalicelib.models.common import describe
from chalicelib.models.interaction import LegFields, SaveLegRequest
from chalicelib.models.sync import SyncRun, SyncStatus
from chalicelib.services.calls import interactions
from chalicelib.store import interactions as tree_store
from chalicelib.store import sync as sync_store
from chalicelib.store.entities.sync import PendingWriteBack, SyncState

log = logging.getLogger("cim")

LEASE_SECONDS = 900
RECORD_CALLS = 8  # the DynamoDB calls one record may take (leg write, lookups, a write-back)
WRITEBACK_CHANNELS = ("PHONE", "CHAT")


# --- one record ---------------------------------------------------------------------

def ingest(record: Any, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Store one record as a leg: ``stored``, ``updated``, ``unchanged`` or ``rejected``."""
    record_id = record.get("id") if isinstance(record, dict) else None
    if not isinstance(record_id, str) or len(record_id) > 200:
        record_id = None  # only an id of the documented shape is echoed back
    try:
        limits.check_json(record, "record")
        mapped = to_leg(record, details)
        request = SaveLegRequest(interaction=LegFields.model_validate(mapped.leg), call_Id=mapped.call_id,
                                 ani=mapped.ani)
        leg, outcome = interactions.save_leg(mapped.call_id, request)
    except BadRecord as error:
        return {"id": record_id, "outcome": "rejected", "reason": str(error)}
    except ValidationError as error:
        return {"id": record_id, "outcome": "rejected", "reason": describe(error)}
    except (Invalid, TooLarge) as error:
        return {"id": record_id, "outcome": "rejected", "reason": error.message}
    except Unavailable as error:  # a passing fault: the same record, sent again, can be stored
        return {"id": record_id, "outcome": "failed", "reason": error.message}
    except Exception as error:  # noqa: BLE001 - a record that breaks the mapping breaks it every time
        log.error("record %s rejected: %s", record_id, type(error).__name__)
        return {"id": record_id, "outcome": "rejected",
                "reason": f"the record could not be read ({type(error).__name__}); fix it before sending it again"}
    return {"id": leg["leg_id"], "outcome": outcome, "call_Id": mapped.call_id, "finished": mapped.finished}


# --- push ---------------------------------------------------------------------------

SIGNATURE_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: str, raw: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``<timestamp>.<raw body>``."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()


def check_signature(raw: bytes, header: str | None, timestamp: str | None) -> None:
    """The push's credential: a signature over the body and the time it was
    sent (``X-CIM-Timestamp``, Unix seconds), refused more than five minutes
    off, so a captured push cannot be replayed later."""
    secret = get_settings().rci_webhook_secret
    if not secret or not header or not header.startswith("sha256="):
        raise Unauthorized("a valid X-CIM-Signature is required")
    stamp = (timestamp or "").strip()
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        raise Unauthorized("X-CIM-Timestamp: give the Unix time the push was signed at (seconds)")
    if abs(time.time() - int(stamp)) > SIGNATURE_TOLERANCE_SECONDS:
        raise Unauthorized("X-CIM-Timestamp: more than 5 minutes from now; sign the push again when sending it")
    expected = signature(secret, stamp, raw)
    if not hmac.compare_digest(header.strip().lower().encode(), expected.encode()):
        raise Unauthorized("a valid X-CIM-Signature is required")


def push(batch: Any) -> list[dict[str, Any]]:
    items = batch if isinstance(batch, list) else [batch]
    limit = get_settings().rci_batch_max
    if len(items) > limit:
        raise TooLarge(f"body: at most {limit} records a request")
    results = []
    for item in items:
        result = ingest(item)
        if result["outcome"] != "rejected":
            _write_back_if_due(item, result)
        results.append(result)
    return results


# --- pull ---------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(UTC)


def _take_lease() -> SyncState:
    state = sync_store.state()
    now = time.time()
    if state and state.lease_until > now:
        raise Conflict("a sync is already running")
    taken = replace(state or SyncState(), lease_until=now + LEASE_SECONDS, last_started_at=now_iso())
    sync_store.put_state(taken, lease_was=None if state is None else state.lease_until)
    return taken


def run() -> SyncRun:
    """One pull, to the end or to the first error; its outcome is kept."""
    settings = get_settings()
    if not settings.sinch_base_url:
        raise Unprocessable("CIM_SINCH_BASE_URL is not set: there is nothing to sync from")
    state = _take_lease()
    lease = state.lease_until
    now = _now()
    watermark = parse_datetime(state.watermark) if state.watermark else now - timedelta(
        hours=settings.sync_lookback_hours)
    start = watermark - timedelta(minutes=settings.sync_overlap_minutes)
    outcome = {"started_at": now_iso(), "from": iso(start), "pages": 0, "stored": 0, "updated": 0,
               "unchanged": 0, "rejected": 0, "rejections": [], "written_back": 0, "last_error": None,
               "more": False}
    newest, hold = watermark, None
    open_limit = now - timedelta(hours=settings.sync_max_open_hours)
    try:
        outcome["written_back"] += _retry_write_backs()
        offset, capped = 0, False
        while not capped:
            page = sinch.contacts_page(iso(start), offset, settings.sync_page_size)
            outcome["pages"] += 1
            for record in page:
                if not metering.budget_left(reserve=RECORD_CALLS):
                    # POST /rci/sync is a request: it stops at the call cap; the watermark
                    # has moved only past what was stored, so the next run goes on from there.
                    capped = outcome["more"] = True
                    break
                arrival = parse_datetime(record.get("arrivalTime", "")) if isinstance(record, dict) and \
                    isinstance(record.get("arrivalTime"), str) else None
                details = None
                if isinstance(record, dict) and is_finished(record) and isinstance(record.get("id"), str):
                    details = sinch.contact_details(record["id"])
                result = ingest(record, details)
                outcome[result["outcome"]] += 1
                if result["outcome"] == "rejected":
                    if len(outcome["rejections"]) < 50:
                        outcome["rejections"].append({"id": result["id"], "reason": result["reason"]})
                    continue  # can never be stored as sent: it does not hold the watermark
                if not result["finished"] and arrival and arrival > open_limit:
                    hold = min(hold, arrival) if hold else arrival  # still changing: read it again next time
                outcome["written_back"] += _write_back_if_due(record, result)
                if arrival:
                    newest = max(newest, arrival)
            if capped or len(page) < settings.sync_page_size:
                break
            offset += settings.sync_page_size
    except DomainError as error:
        outcome["last_error"] = error.message
    except Exception as error:  # noqa: BLE001 - kept in the run record, then raised
        outcome["last_error"] = f"{type(error).__name__}"
        raise
    finally:
        moved = min(newest, hold - timedelta(milliseconds=1)) if hold else newest
        finished = now_iso()
        outcome["finished_at"] = finished
        outcome["watermark"] = iso(max(moved, watermark))
        kept = SyncRun.model_validate(outcome)
        sync_store.add_run(kept, retention.expires(get_settings().sync_run_days))
        caught_up = state.caught_up_at if outcome["last_error"] else outcome["started_at"]
        sync_store.put_state(replace(state, watermark=outcome["watermark"], lease_until=0, last_finished_at=finished,
                                     caught_up_at=caught_up), lease_was=lease)
        # How far behind the contact center the store may be: since the start
        # of the last pull that read everything up to then (the SyncLag alarm).
        if caught_up:
            metrics.gauge("SyncLagSeconds", (_now() - parse_datetime(caught_up)).total_seconds(), "Seconds")
    return kept


def status() -> SyncStatus:
    state = sync_store.state() or SyncState()
    return SyncStatus(configured=bool(get_settings().sinch_base_url), running=state.lease_until > time.time(),
                      watermark=state.watermark, pendingWriteBacks=len(sync_store.writebacks()),
                      runs=sync_store.recent_runs(20))


def scheduled() -> SyncRun | None:
    """The schedule fires every minute; a run starts every ``CIM_SYNC_EVERY_SECONDS``."""
    settings = get_settings()
    if not settings.sinch_base_url:
        return None
    state = sync_store.state() or SyncState()
    last = parse_datetime(state.last_started_at) if state.last_started_at else None
    if last and _now() - last < timedelta(seconds=settings.sync_every_seconds):
        return None
    try:
        return run()
    except Conflict:
        return None


# --- write-back -----------------------------------------------------------------------

def _write_back_if_due(record: dict[str, Any], result: dict[str, Any]) -> int:
    """Tell the contact center which CIM contact a finished record belongs to,
    once; a failure is kept and retried on the next run."""
    if not get_settings().rci_writeback or not result.get("finished"):
        return 0
    if record.get("channel") not in WRITEBACK_CHANNELS:
        return 0
    tree = tree_store.get(result["call_Id"])
    if tree is None:
        return 0
    holders = [tree["contact_id"]] if tree.get("contact_id") else tree.get("shown_to", [])
    leg = tree["legs"].get(result["id"], {})
    if len(holders) != 1 or leg.get("cimContactId") == holders[0]:
        return 0
    return _send_write_back(result["id"], result["call_Id"], holders[0])


def _send_write_back(record_id: str, call_id: str, contact_id: str) -> int:
    try:
        sinch.write_contact_data(record_id, {"cimContactId": contact_id})
    except DomainError as error:
        sync_store.put_writeback(PendingWriteBack(record_id, call_id, contact_id, error.message))
        return 0
    interactions.save_leg(call_id, SaveLegRequest(
        interaction=LegFields.model_validate({"leg_id": record_id, "cimContactId": contact_id}), call_Id=call_id))
    sync_store.drop_writeback(record_id)
    return 1


def _retry_write_backs() -> int:
    sent = 0
    for pending in sync_store.writebacks():
        sent += _send_write_back(pending.id, pending.call_Id, pending.contact_id)
    return sent
