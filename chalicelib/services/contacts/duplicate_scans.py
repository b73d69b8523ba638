"""The scan for possible duplicates among stored contacts (``POST /duplicates/scans``).

It reads no whole table: it walks the contact list (GSI1, a page at a time) and looks
each contact's numbers and addresses up in the exact indexes, as a create
does; every pair it finds (not dismissed) is written once, under the two
ids, for ``GET /duplicates``. Resumable and safe to run from several
places: the scan record carries its cursor and a lease. A request runs it
for at most its DynamoDB call cap; the maintenance schedule goes on for
``CIM_JOB_SECONDS`` a minute until it is done.
"""
from __future__ import annotations

import time
from typing import Any

from chalicelib.core import metering
from chalicelib.core.clock import now_iso
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.models.contact import DuplicateScan
from chalicelib.services.contacts import duplicates
from chalicelib.store import contacts as contact_store
from chalicelib.store import duplicates as store

PAGE = 10  # contacts a step: each is one Query per number and address, and one BatchGetItem when shared
CALLS_A_STEP = 45  # the most one step makes (its reads and its pair writes)
KEPT_SECONDS = 7 * 86400  # a finished scan's record, then it expires


def start() -> DuplicateScan:
    stamp = now_iso()
    record = {"id": new_id(), "state": "running", "processed": 0, "found": 0, "started_at": stamp,
              "updated_at": stamp, "cursor": None, "lease": 0}
    store.add_scan(record)
    return run(record["id"])


def get(scan_id: str) -> DuplicateScan:
    return DuplicateScan.model_validate(store.get_scan(check_id(scan_id, "scan_id")))


def run(scan_id: str, seconds: float | None = None) -> DuplicateScan:
    """Go on for at most ``seconds`` (and, in a request, its call cap); at least one step."""
    record = store.get_scan(check_id(scan_id, "scan_id"))
    budget = get_settings().job_seconds if seconds is None else seconds
    if record["state"] != "running" or record.get("lease", 0) > time.time():
        return DuplicateScan.model_validate(record)
    deadline, lease = time.monotonic() + budget, time.time() + budget + 30
    store.put_scan(record | {"lease": lease}, lease_was=record.get("lease", 0))
    record["lease"] = lease
    while True:
        contacts, record["cursor"] = contact_store.page_all(PAGE, record["cursor"])
        record["found"] += _pairs_among(contacts)
        record["processed"] += len(contacts)
        record["updated_at"] = now_iso()
        done = record["cursor"] is None
        if done:
            record |= {"state": "done", "finished_at": record["updated_at"], "ttl": int(time.time()) + KEPT_SECONDS}
        stop = done or time.monotonic() >= deadline or not metering.budget_left(reserve=CALLS_A_STEP)
        if stop:
            record["lease"] = 0
        store.put_scan(record, lease_was=lease)
        if stop:
            return DuplicateScan.model_validate(record)


def _pairs_among(contacts: list[contact_store.StoredContact]) -> int:
    """Write the pairs these contacts make with any other (each pair once: from its smaller id)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    stamp = now_iso()
    for contact in contacts:
        me = contact.doc["id"]
        for candidate in duplicates.among(contact.doc, contact.terms, exclude=me):
            if me < candidate.id:
                found[(me, candidate.id)] = {"ids": [me, candidate.id], "reasons": candidate.reasons,
                                             "score": candidate.score, "found_at": stamp}
    store.put_pairs(list(found.values()))
    return len(found)


def resume_all(seconds: float | None = None) -> list[DuplicateScan]:
    """The maintenance schedule: go on with every running scan."""
    return [run(s["id"], seconds) for s in store.scans() if s["state"] == "running"]
