"""Erasure: forget a person everywhere, from one of their identifiers.

``POST /privacy/erasures`` with ``{"phone"}``, ``{"email"}`` or
``{"contact_id"}`` erases every contact holding that identifier (the named
contact), with its index entries and unique claims; every other number and
address of those contacts joins the erasure (a person reachable through two
identifiers goes from a request naming either). Then every call from any of
those identifiers or linked to those contacts goes, with its legs, its
history and calls-from entries and its attachments (S3 objects and short
links); the "has called" markers; and each identifier is put on the
suppression list (as a keyed hash), so nothing brings the person back by
itself.

The answer is a receipt with no personal data: id, when, who asked, the
keyed hash of the identifier, counts per kind, and the state. A large
footprint is worked through in bounded passes (``CIM_JOB_SECONDS``): the
receipt says ``running`` and the scheduled runner, or ``POST
/privacy/erasures/{id}/run``, goes on where it stopped; every step deletes
only what it finds, so a pass cut short, a resume and a second erasure are
all harmless. While it runs, the identifiers sit in a work item of their own,
deleted when it is done.
"""
from __future__ import annotations

import time
from typing import Any

from chalicelib.core import actor, retention
from chalicelib.core.clock import now_iso
from chalicelib.core.errors import Invalid, NotFound
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.domain.terms import UNIQUE, Term
from chalicelib.services.privacy import audit, identity, suppression
from chalicelib.store import attachments as attachment_store
from chalicelib.store import blobs
from chalicelib.store import contacts as contact_store
from chalicelib.store import interactions as call_store
from chalicelib.store import privacy as store

KINDS = (identity.PHONE, identity.EMAIL, "contact_id")
COUNTS = ("contacts", "index_entries", "unique_claims", "calls", "legs", "call_entries", "caller_markers",
          "attachments", "files", "suppressed")


def asked(body: dict[str, Any]) -> tuple[str, str]:
    """The one identifier a privacy request names: (kind, normalised value)."""
    named = [k for k in KINDS if body.get(k) not in (None, "")]
    unknown = sorted(set(body) - set(KINDS))
    if unknown:
        raise Invalid(f"{unknown[0]}: not a field of this request; give one of phone, email or contact_id")
    if len(named) != 1:
        raise Invalid("give exactly one of phone, email or contact_id")
    kind = named[0]
    if kind == "contact_id":
        if not isinstance(body[kind], str):
            raise Invalid("contact_id: must be a string")
        return kind, check_id(body[kind], "contact_id")
    return kind, identity.normalized(kind, body[kind])


def holders_of(kind: str, value: str) -> list[str]:
    """The contacts a request names: the one given by id, or every holder of the number or address."""
    if kind == "contact_id":
        return [value]
    holders, cursor = [], None
    while True:
        ids, cursor = contact_store.ids_by_term(Term(kind, value), 100, cursor)
        holders += ids
        if not cursor:
            return holders


def start(body: dict[str, Any]) -> dict[str, Any]:
    """Begin an erasure and work on it for up to ``CIM_JOB_SECONDS``; its receipt."""
    kind, value = asked(body)
    erasure_id = new_id()
    who = actor.current()
    receipt = {"id": erasure_id, "requested_at": now_iso(), "requested_by": who.who,
               "identifier": {"kind": kind, "hash": identity.digest(kind, value)},
               "state": "running", "counts": dict.fromkeys(COUNTS, 0), "finished_at": None}
    expiry = retention.expires(get_settings().erasure_receipt_days)
    if expiry:
        receipt["ttl"] = expiry
    work = {"named": [kind, value], "identifiers": [[kind, value]] if kind != "contact_id" else [],
            "contacts": [value] if kind == "contact_id" else [], "step": "contacts"}
    store.save_work(erasure_id, work)
    store.save_receipt(erasure_id, receipt)
    return run(erasure_id)


def get(erasure_id: str) -> dict[str, Any]:
    found = store.receipt(check_id(erasure_id, "erasure id"))
    if found is None:
        raise NotFound(f"erasure {erasure_id} not found")
    return _public(found)


def _public(receipt: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in receipt.items() if k != "ttl"}


def run(erasure_id: str, seconds: float | None = None) -> dict[str, Any]:
    """Go on with an erasure for up to ``seconds``; the receipt as it stands."""
    receipt = store.receipt(check_id(erasure_id, "erasure id"))
    if receipt is None:
        raise NotFound(f"erasure {erasure_id} not found")
    if receipt["state"] == "done":
        return _public(receipt)
    work = store.work(erasure_id)
    if work is None:  # finished, but the receipt was not saved after: nothing is left to find
        receipt |= {"state": "done", "finished_at": receipt.get("finished_at") or now_iso()}
        store.save_receipt(erasure_id, receipt)
        return _public(receipt)
    deadline = time.monotonic() + (get_settings().job_seconds if seconds is None else seconds)
    counts = receipt["counts"]
    finished = _work(erasure_id, work, counts, deadline)
    if finished:
        receipt |= {"state": "done", "finished_at": now_iso()}
    store.save_receipt(erasure_id, receipt)
    if finished:
        store.drop_work(erasure_id)
    return _public(receipt)


def resume_all(seconds: float | None = None) -> list[dict[str, Any]]:
    """The scheduled runner: go on with every running erasure."""
    return [run(erasure_id, seconds) for erasure_id in store.running_erasures()]


def _work(erasure_id: str, work: dict[str, Any], counts: dict[str, int], deadline: float) -> bool:
    """Every step finds what is left and deletes it; True when nothing is left."""
    if work["step"] == "contacts":
        if not _erase_contacts(erasure_id, work, counts, deadline):
            return False
        work["step"] = "calls"
        store.save_work(erasure_id, work)
    if work["step"] == "calls":
        if not _erase_calls(work, counts, deadline):
            return False
        work["step"] = "markers"
        store.save_work(erasure_id, work)
    for kind, value in work["identifiers"]:
        counts["caller_markers"] += int(call_store.forget_caller(kind, value))
        suppression.suppress(kind, value, erasure_id)
    counts["suppressed"] = len(work["identifiers"])
    return True


def _erase_contacts(erasure_id: str, work: dict[str, Any], counts: dict[str, int], deadline: float) -> bool:
    holders = list(work["contacts"]) + holders_of(*work["named"])
    for contact_id in dict.fromkeys(holders):
        if time.monotonic() > deadline:
            return False
        current = contact_store.get(contact_id)
        if current is None:
            continue
        # Its other numbers and addresses join the erasure before it is gone.
        for term in current.terms:
            pair = [term.kind, term.value]
            if term.kind in suppression.KINDS and pair not in work["identifiers"]:
                work["identifiers"].append(pair)
        if contact_id not in work["contacts"]:
            work["contacts"].append(contact_id)
        store.save_work(erasure_id, work)
        for record in attachment_store.of_contact(contact_id):
            _erase_attachment(record.get("id"), counts)
        contact_store.delete(current, audit.action(audit.entry("erased", contact_id, None, None)))
        counts["contacts"] += 1
        counts["index_entries"] += sum(1 for t in current.terms if not t.kind.startswith(UNIQUE))
        counts["unique_claims"] += sum(1 for t in current.terms if t.kind.startswith(UNIQUE))
    return True


def _erase_calls(work: dict[str, Any], counts: dict[str, int], deadline: float) -> bool:
    call_ids: list[str] = []
    for contact_id in work["contacts"]:
        call_ids += call_store.every_call_of(contact_id)
    for kind, value in work["identifiers"]:
        call_ids += call_store.every_call_from(kind, value)
    for call_id in dict.fromkeys(call_ids):
        if time.monotonic() > deadline:
            return False
        tree = call_store.get(call_id)
        if tree is None:
            continue
        for summary in tree.get("attachments", []):
            _erase_attachment(summary.get("id"), counts)
        try:
            counts["call_entries"] += call_store.erase(tree)
        except call_store.StaleTree:
            return False  # a leg arrived meanwhile: the next pass reads it again
        counts["calls"] += 1
        counts["legs"] += len(tree.get("legs", {}))
    # Entries whose tree was already gone (an earlier, interrupted pass).
    for contact_id in work["contacts"]:
        counts["call_entries"] += call_store.drop_entries("history", contact_id)
    for kind, value in work["identifiers"]:
        counts["call_entries"] += call_store.drop_entries("calls_from", kind, value)
    return True


def _erase_attachment(attachment_id: str | None, counts: dict[str, int]) -> None:
    record = attachment_store.get(attachment_id) if attachment_id else None
    if record is None:
        return
    if blobs.head(record["key"]) is not None:
        counts["files"] += 1
    blobs.delete(record["key"])
    attachment_store.erase(record)
    counts["attachments"] += 1
