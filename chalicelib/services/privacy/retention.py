"""Retention changes for items already stored.

Items are written with their TTL (``core/retention``); when an
administrator changes a retention setting, ``POST /privacy/retention/jobs``
``{"kind"}`` starts a job that gives every stored item of that kind the TTL
the setting now implies (from the item's own date; ``0`` days removes it).
It works in bounded passes (``CIM_JOB_SECONDS``, and at most the request's
DynamoDB call cap) and records where it stopped: the scheduled runner or
``POST /privacy/retention/jobs/{id}/run`` goes on, and running it again
changes nothing more. Calls are listed by the day they were first saved
(GSI1), so no pass scans the table. One job per kind runs at a time; ``since``
reaches at most ``MAX_YEARS_BACK`` years back; ``DELETE`` cancels a job.
"""
from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import metering, retention
from chalicelib.core.clock import now_iso
from chalicelib.core.errors import Conflict, Invalid, NotFound
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.domain.values import parse_datetime
from chalicelib.models.privacy import RetentionJob, RetentionRequest
from chalicelib.store import interactions as call_store
from chalicelib.store import retention as store
from chalicelib.store.entities.privacy import StoredRetentionJob

PAGE = 10
MAX_YEARS_BACK = 10
PAGE_CALLS = {"interactions": 1 + 3 * PAGE, "audit": 1 + PAGE, "erasure_receipts": 1 + PAGE,
              "sync_runs": 1 + PAGE}  # one Query, then an update per item (a call: its two entries too)


def _days(kind: str) -> int:
    settings = get_settings()
    return {"interactions": settings.interaction_days, "audit": settings.audit_days,
            "erasure_receipts": settings.erasure_receipt_days, "sync_runs": settings.sync_run_days}[kind]


def _expiry(kind: str, stamp: str | None) -> int | None:
    moment = parse_datetime(stamp) if stamp else None
    return retention.expires(_days(kind), moment.timestamp() if moment else None)


# Each kind and the date of an item its retention counts from.
STAMPS = {"interactions": "created_at", "audit": "at", "erasure_receipts": "requested_at", "sync_runs": "started_at"}


def start(asked: RetentionRequest) -> RetentionJob:
    kind, since = asked.kind, asked.since  # the model checked kind against STAMPS' names
    if since is not None and parse_datetime(since) is None:
        raise Invalid("since: an ISO date, the oldest day to reach (default: as far back as the retention "
                      f"reaches, at most {MAX_YEARS_BACK} years)")
    today = datetime.now(UTC).date()
    oldest = today - timedelta(days=MAX_YEARS_BACK * 366)
    if since is not None and not oldest <= parse_datetime(since).date() <= today:
        raise Invalid(f"since: between {oldest.isoformat()} ({MAX_YEARS_BACK} years back) and today")
    running = [j for j in store.running_jobs() if j.kind == kind]
    if running:
        raise Conflict(f"kind: a {kind} job is already running ({running[0].id}); let it finish or cancel it "
                       f"with POST /privacy/retention/jobs/{running[0].id}/cancel", job_id=running[0].id)
    reach = _days(kind) or MAX_YEARS_BACK * 366
    first = parse_datetime(since).date() if since else today - timedelta(days=min(reach, MAX_YEARS_BACK * 366))
    stamp = now_iso()
    job = StoredRetentionJob(id=new_id(), kind=kind, state="running", days=_days(kind), day=first.isoformat(),
                                   last_day=today.isoformat(), started_at=stamp, updated_at=stamp)
    store.save_job(job)
    return run(job.id)


def _stored(job_id: str) -> StoredRetentionJob:
    job = store.job(check_id(job_id, "job id"))
    if job is None:
        raise NotFound(f"retention job {job_id} not found")
    return job


def _public(job: StoredRetentionJob) -> RetentionJob:
    return RetentionJob.model_validate(asdict(job))


def get(job_id: str) -> RetentionJob:
    return _public(_stored(job_id))


def cancel(job_id: str) -> RetentionJob:
    """Stop a job where it is (what it changed stays changed)."""
    job = _stored(job_id)
    if job.state == "running":
        job.state, job.finished_at = "cancelled", now_iso()
        job.updated_at = job.finished_at
        store.save_job(job)
    return _public(job)


def run(job_id: str, seconds: float | None = None) -> RetentionJob:
    job = _stored(job_id)
    if job.state in ("done", "cancelled"):
        return _public(job)
    deadline = time.monotonic() + (get_settings().job_seconds if seconds is None else seconds)
    kind, by_day = job.kind, store.listed_by_day(job.kind)
    apply = _tree_ttl if kind == "interactions" else _item_ttl
    # A pass stops at its time or its share of the request's call cap (a page
    # of calls can touch an item and its two entries each).
    while time.monotonic() <= deadline and metering.budget_left(reserve=PAGE_CALLS[kind] + 2):
        items, last = store.page(kind, job.day, job.cursor, PAGE)
        for item in items:
            job.updated += apply(kind, STAMPS[kind], item)
        job.cursor = last
        if last is None and (not by_day or job.day >= job.last_day):
            job.state, job.finished_at = "done", now_iso()
            break
        if last is None:
            job.day = (datetime.fromisoformat(job.day) + timedelta(days=1)).date().isoformat()
    job.updated_at = now_iso()
    store.save_job(job)
    return _public(job)


def resume_all(seconds: float | None = None) -> list[RetentionJob]:
    return [run(j.id, seconds) for j in store.running_jobs()]


def _item_ttl(kind: str, stamp: str, item: dict[str, Any]) -> int:
    if stamp not in item:
        return 0
    return int(store.set_ttl(item, _expiry(kind, item[stamp])))


def _tree_ttl(kind: str, stamp: str, item: dict[str, Any]) -> int:
    """A call and the entries that find it expire together."""
    expiry = _expiry(kind, item.get(stamp))
    touched = int(store.set_ttl(item, expiry))
    for key in call_store.entry_keys(item):
        store.set_ttl(key, expiry)
    return touched

