"""The scan for possible duplicates among stored contacts (``POST /duplicates/scans``).

It reads no whole table: it walks the contact list (GSI1, a page at a time),
puts each contact in the holder markers of its numbers and addresses
(``store/holders.py``: contacts stored before the markers existed join them
here; the maintenance schedule runs one such scan by itself) and asks the
markers who else holds them, as a create does; every pair it finds (not
dismissed) is written once, under the two ids, for ``GET /duplicates``. Resumable and safe to run from several
places: the scan record carries its cursor and a lease. A request runs it
for at most its DynamoDB call cap; the maintenance schedule goes on for
``CIM_JOB_SECONDS`` a minute until it is done.
"""
from __future__ import annotations

import time
from dataclasses import asdict, replace
from typing import Any

from chalicelib.core import metering
from chalicelib.core.clock import now_iso
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.models.contact import DuplicateScan
from chalicelib.services.contacts import duplicates
from chalicelib.store import contacts as contact_store
from chalicelib.store import duplicates as store
from chalicelib.store import holders as holder_store
from chalicelib.store.entities.jobs import StoredScan

PAGE = 10  # contacts a step: each is one UpdateItem per number and address, and two BatchGetItems
CALLS_A_STEP = 45  # the most one step makes (its reads and its pair writes)
KEPT_SECONDS = 7 * 86400  # a finished scan's record, then it expires


def start() -> DuplicateScan:
    stamp = now_iso()
    record = StoredScan(id=new_id(), state="running", started_at=stamp, updated_at=stamp, marks_holders=True)
    store.add_scan(record)
    return run(record.id)


def get(scan_id: str) -> DuplicateScan:
    return _public(store.get_scan(check_id(scan_id, "scan_id")))


def _public(record: StoredScan) -> DuplicateScan:
    return DuplicateScan.model_validate(asdict(record))


def run(scan_id: str, seconds: float | None = None) -> DuplicateScan:
    """Go on for at most ``seconds`` (and, in a request, its call cap); at least one step."""
    record = store.get_scan(check_id(scan_id, "scan_id"))
    budget = get_settings().job_seconds if seconds is None else seconds
    if record.state != "running" or record.lease > time.time():
        return _public(record)
    deadline, lease = time.monotonic() + budget, time.time() + budget + 30
    store.put_scan(replace(record, lease=lease), lease_was=record.lease)
    record.lease = lease
    while True:
        contacts, record.cursor = contact_store.page_all(PAGE, record.cursor)
        record.found += _pairs_among(contacts)
        record.processed += len(contacts)
        record.updated_at = now_iso()
        done = record.cursor is None
        if done:
            record.state, record.finished_at, record.ttl = "done", record.updated_at, int(time.time()) + KEPT_SECONDS
            if record.marks_holders:  # walked whole by a version that marks (not resumed from an older)
                holder_store.set_all_marked(record.updated_at)
        stop = done or time.monotonic() >= deadline or not metering.budget_left(reserve=CALLS_A_STEP)
        if stop:
            record.lease = 0
        store.put_scan(record, lease_was=lease)
        if stop:
            return _public(record)


def _pairs_among(contacts: list[contact_store.StoredContact]) -> int:
    """Put these contacts in their holder markers (they may predate them),
    then write the pairs they make with the contacts the walk reached before
    them (marked by then, or since they were stored): each pair once, from
    the one the walk reaches second."""
    for contact in contacts:
        holder_store.mark(contact.doc["id"], contact.terms)
    found: dict[tuple[str, str], store.FoundPair] = {}
    stamp = now_iso()
    for contact in contacts:
        me = contact.doc["id"]
        for candidate, other in duplicates.judged_among(contact.doc, contact.terms, exclude=me):
            if _walk_order(other) < _walk_order(contact.doc):
                ids = store.pair_of(me, candidate.id)
                found[ids] = store.FoundPair(ids, list(candidate.reasons), candidate.score, stamp)
    store.put_pairs(list(found.values()))
    return len(found)


def _walk_order(doc: dict[str, Any]) -> tuple[str, str]:
    return doc["created_at"], doc["id"]  # the contact list's order (GSI1), which the walk follows


def mark_holders_once() -> DuplicateScan | None:
    """The maintenance schedule, until a scan has walked every contact once
    since the holder markers exist: start one (a table created with them has
    nothing to mark, and its first scan ends at once)."""
    if holder_store.all_marked() or any(s.state == "running" for s in store.scans()):
        return None
    return start()


def resume_all(seconds: float | None = None) -> list[DuplicateScan]:
    """The maintenance schedule: go on with every running scan."""
    return [run(s.id, seconds) for s in store.scans() if s.state == "running"]
