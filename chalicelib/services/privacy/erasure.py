"""Erasure: forget a person everywhere, from one of their identifiers.

``POST /privacy/erasures`` with ``{"phone"}``, ``{"email"}`` or
``{"contact_id"}`` erases every contact holding that identifier (the named
contact), with its index entries, unique claims, files and the values in its
audit trail; every other number and address of those contacts joins the
erasure (a person reachable through two identifiers goes from a request
naming either); another contact holding one of her e-mail addresses is her
too, while a phone number another contact holds stays theirs (a shared
family line). Then every call from those identifiers or linked to
those contacts goes, with its legs, entries and files; a call from them that
an agent linked to somebody else stays that person's, without the number.

Order is what makes it hold under races. Each identifier is **suppressed
before anything is deleted**, and every write that could store it (a leg, a
contact write, a Sinch record, a Connect function, an import) carries a
guard on that suppression in its own transaction, or (batch writes) looks
again after writing: a write racing the erasure either lands before the
sweep and is swept, or is refused or stored anonymised. A last pass reads
every place once more and starts over if anything is found.

The answer is a receipt with no personal data: id, when, who asked, the
keyed hash of the identifier, counts per kind, and the state (``running``,
``done`` or ``failed``: a fault from below; the receipt says which, and the
scheduled runner or ``POST /privacy/erasures/{id}/run`` goes on). Every step
deletes only what it finds, so a pass cut short, a resume and a second
erasure are all harmless. While it runs, the identifiers sit in a work item
of their own, deleted when it is done.
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import Any

from chalicelib.core import actor, metering, retention
from chalicelib.core.clock import now_iso
from chalicelib.core.errors import Contended, DomainError, Invalid, NotFound, PreconditionFailed
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.domain.terms import UNIQUE, Term
from chalicelib.models.privacy import ErasureReceipt, PersonRequest
from chalicelib.services.calls import interactions
from chalicelib.services.privacy import access, audit, identity, suppression
from chalicelib.store import attachments as attachment_store
from chalicelib.store import blobs
from chalicelib.store import contacts as contact_store
from chalicelib.store import followups as followup_store
from chalicelib.store import holders as holder_store
from chalicelib.store import interactions as call_store
from chalicelib.store import merges as merge_store
from chalicelib.store import notes as notes_store
from chalicelib.store import privacy as store
from chalicelib.store.entities.privacy import ErasureWork, StoredErasure

log = logging.getLogger("cim")

STATES = ("running", "done", "failed")
COUNTS = ("contacts", "index_entries", "unique_claims", "calls", "legs", "call_entries", "caller_markers",
          "attachments", "files", "suppressed", "calls_kept_for_others", "access_requests", "notes",
          "followups")
MAX_ROUNDS = 20  # reads of one item while writers race the erasure
CALLS_A_STEP = 15  # the most one contact or call of the sweep takes (reads, files, the delete)


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


def start(asked: PersonRequest) -> ErasureReceipt:
    """Begin an erasure and work on it for up to ``CIM_JOB_SECONDS``; its receipt."""
    kind, value = identity.asked(asked)
    erasure_id = new_id()
    who = actor.current()
    receipt = StoredErasure(id=erasure_id, requested_at=now_iso(), requested_by=who.who,
                                  identifier={"kind": kind, "hash": identity.digest(kind, value)}, state="running",
                                  counts=dict.fromkeys(COUNTS, 0),
                                  ttl=retention.expires(get_settings().erasure_receipt_days))
    work = ErasureWork(named=[kind, value], identifiers=[[kind, value]] if kind != "contact_id" else [],
                             contacts=[value] if kind == "contact_id" else [])
    store.save_work(erasure_id, work)
    store.save_receipt(receipt)
    return run(erasure_id)


def get(erasure_id: str) -> ErasureReceipt:
    found = store.receipt(check_id(erasure_id, "erasure id"))
    if found is None:
        raise NotFound(f"erasure {erasure_id} not found")
    return _public(found)


def listing(state: str | None = None) -> list[ErasureReceipt]:
    """Every erasure receipt, newest first; ``state`` keeps only that state."""
    if state is not None and state not in STATES:
        raise Invalid(f"state: one of {', '.join(STATES)}")
    found = [_public(r) for r in store.erasures() if state is None or r.state == state]
    return sorted(found, key=lambda r: r.requested_at, reverse=True)


def _public(receipt: StoredErasure) -> ErasureReceipt:
    return ErasureReceipt.model_validate(asdict(receipt))


def run(erasure_id: str, seconds: float | None = None) -> ErasureReceipt:
    """Go on with an erasure for up to ``seconds``; the receipt as it stands
    (``failed``, with the reason, if a fault from below stopped it)."""
    receipt = store.receipt(check_id(erasure_id, "erasure id"))
    if receipt is None:
        raise NotFound(f"erasure {erasure_id} not found")
    if receipt.state == "done":
        return _public(receipt)
    work = store.work(erasure_id)
    if work is None:  # finished, but the receipt was not saved after: nothing is left to find
        receipt.state, receipt.finished_at, receipt.error = "done", receipt.finished_at or now_iso(), None
        store.save_receipt(receipt)
        return _public(receipt)
    deadline = time.monotonic() + (get_settings().job_seconds if seconds is None else seconds)
    counts = receipt.counts
    for name in COUNTS:
        counts.setdefault(name, 0)
    try:
        finished = _work(erasure_id, work, counts, deadline)
    except Exception as fault:  # noqa: BLE001 - kept on the receipt; the erasure resumes from its work item
        log.warning("erasure %s stopped: %s", erasure_id, type(fault).__name__)
        reason = fault.message if isinstance(fault, DomainError) else "an internal error stopped it"
        receipt.state, receipt.error = "failed", f"{reason}; run it again to go on"
        _save_if_possible(erasure_id, work, receipt)
        return _public(receipt)
    receipt.state, receipt.error = "running", None
    if finished:
        receipt.state, receipt.finished_at = "done", now_iso()
    else:
        store.save_work(erasure_id, work)  # where each step stands: the next pass goes on from there
    store.save_receipt(receipt)
    if finished:
        store.drop_work(erasure_id)
    return _public(receipt)


def _save_if_possible(erasure_id: str, work: ErasureWork, receipt: StoredErasure) -> None:
    """After a fault: keep how far the steps got (each place is counted done
    only once it is), and the receipt saying why it stopped."""
    try:
        store.save_work(erasure_id, work)
        store.save_receipt(receipt)
    except DomainError:
        pass  # the receipt still says running: the scheduled runner resumes it all the same


def resume_all(seconds: float | None = None) -> list[ErasureReceipt]:
    """The scheduled runner: go on with every running or failed erasure."""
    return [run(erasure_id, seconds) for erasure_id in store.running_erasures()]


def _work(erasure_id: str, work: ErasureWork, counts: dict[str, int], deadline: float) -> bool:
    """Suppress, then find what is left and delete it, then look again;
    True when a last look finds nothing and the finish is done. Each step
    keeps its place in ``work.at`` (saved when a pass ends), so a person
    with hundreds of contacts, numbers or calls is erased over several
    passes, each within the request's call cap, never starting over."""
    at = work.at
    while at.get("suppressed", 0) < len(work.identifiers):  # first: racing writers now fail their guard
        if _pass_over(deadline):
            return False
        suppression.suppress(*work.identifiers[at.get("suppressed", 0)], erasure_id)
        at["suppressed"] = at.get("suppressed", 0) + 1
    for _ in range(MAX_ROUNDS):
        if work.step == "contacts" and not _erase_contacts(erasure_id, work, counts, deadline):
            return False
        if work.step == "calls" and not _erase_calls(work, counts, deadline):
            return False
        if work.step == "check":
            left = _anything_left(work, deadline)
            if left is None:
                return False
            if left:  # a write landed between the sweep and this look: sweep again
                work.step, work.at = "contacts", {"suppressed": at.get("suppressed", 0)}
                at = work.at
                continue
            work.step = "finish"
        return _finish(work, counts, deadline)
    return False


def _finish(work: ErasureWork, counts: dict[str, int], deadline: float) -> bool:
    """Forget that her numbers ever called and who held them, and every
    access request about her."""
    at = work.at
    while at.get("forgotten", 0) < len(work.identifiers):
        if _pass_over(deadline):
            return False
        kind, value = work.identifiers[at.get("forgotten", 0)]
        counts["caller_markers"] += int(call_store.forget_caller(kind, value))
        holder_store.forget(kind, value)
        at["forgotten"] = at.get("forgotten", 0) + 1
    counts["suppressed"] = len(work.identifiers)
    gone, all_gone = access.forget_about({identity.digest(k, v) for k, v in work.identifiers},
                                         set(work.contacts))
    counts["access_requests"] += gone
    return all_gone  # else the next pass goes on with the rest


def _anything_left(work: ErasureWork, deadline: float) -> bool | None:
    """The last look, place by place (two Queries an identifier, one a
    contact): a holder of an erased identifier, a call from one, or a history
    entry of an erased contact. None when the pass ends first (the next goes
    on from the same place: a write that could land behind the look carries
    a guard on the suppression, or on the contact it names being there)."""
    at, identifiers, contacts = work.at, work.identifiers, work.contacts
    while at.get("looked", 0) < len(identifiers) + len(contacts):
        if _pass_over(deadline):
            return None
        place = at.get("looked", 0)
        if place < len(identifiers):
            kind, value = identifiers[place]
            if contact_store.ids_by_term(Term(kind, value), 1, None)[0] or call_store.calls_from(kind, value, 1):
                return True
        elif call_store.history(contacts[place - len(identifiers)], 1, None)[0]:
            return True
        at["looked"] = place + 1
    return False


def _join(erasure_id: str, work: ErasureWork, contact: contact_store.StoredContact) -> None:
    """A contact's numbers and addresses join the erasure (suppressed now).
    Another contact holding the same e-mail address is the same person and
    joins too; a phone number another contact holds stays theirs (a shared
    family line): it is not suppressed, and only her calls from it go."""
    # E-mail addresses first: the contacts they bring in are not "others" for her phone numbers.
    for term in sorted(contact.terms, key=lambda t: t.kind != identity.EMAIL):
        pair = [term.kind, term.value]
        if term.kind not in suppression.KINDS or pair in work.identifiers or pair in work.shared:
            continue
        others = [c for c in holders_of(term.kind, term.value) if c not in work.contacts]
        if others and term.kind == identity.PHONE:
            work.shared.append(pair)
            continue
        suppression.suppress(term.kind, term.value, erasure_id)
        work.identifiers.append(pair)
        work.at["suppressed"] = len(work.identifiers)  # _work suppressed every earlier one first
        work.contacts += others


def _erase_contacts(erasure_id: str, work: ErasureWork, counts: dict[str, int], deadline: float) -> bool:
    """Every holder of an erased identifier joins; each contact goes, then
    what was written on it. Both lists grow as contacts bring in their other
    numbers and addresses (and merged contacts), so it runs until both
    places reach their ends."""
    at = work.at
    while True:
        if _pass_over(deadline):
            return False
        if at.get("gathered", 0) < len(work.identifiers):
            _add_contacts(work, holders_of(*work.identifiers[at.get("gathered", 0)]))
            at["gathered"] = at.get("gathered", 0) + 1
        elif at.get("swept", 0) < len(work.contacts):
            contact_id = work.contacts[at.get("swept", 0)]
            _erase_contact(erasure_id, work, contact_id, counts)
            if not _erase_written(contact_id, counts, deadline):
                return False
            audit.scrub(contact_id)
            at["swept"] = at.get("swept", 0) + 1
        else:
            work.step = "calls"
            return True


def _erase_contact(erasure_id: str, work: ErasureWork, contact_id: str, counts: dict[str, int]) -> None:
    """Delete a contact whatever its version: an edit racing the erasure makes
    it read the contact again (and the edit's new numbers join), never fail."""
    for _ in range(MAX_ROUNDS):
        current = contact_store.get_or_redirect(contact_id)
        if current is None:
            return
        if isinstance(current, contact_store.Redirect):
            _erase_redirect(work, current, counts)
            return
        _join(erasure_id, work, current)
        _add_contacts(work, current.doc.get("merged_from") or [])  # merged into her: hers
        store.save_work(erasure_id, work)
        for entry in attachment_store.of_contact(contact_id):
            _erase_attachment(entry.id, counts)
        try:
            contact_store.delete(current, audit.entry("erased", contact_id, None, None))
        except (PreconditionFailed, Contended, NotFound):
            continue
        counts["contacts"] += 1
        counts["index_entries"] += sum(1 for t in current.terms if not t.kind.startswith(UNIQUE))
        counts["unique_claims"] += sum(1 for t in current.terms if t.kind.startswith(UNIQUE))
        return
    raise Contended(f"contact {contact_id} kept changing during the erasure")


def _erase_redirect(work: ErasureWork, redirect: contact_store.Redirect, counts: dict[str, int]) -> None:
    """A contact merged into another: the survivor is her too, her files go,
    and so does the merge's record (it keeps the merged contacts as they
    were, for an undo)."""
    _add_contacts(work, [redirect.merged_into])
    for entry in attachment_store.of_contact(redirect.contact_id):
        _erase_attachment(entry.id, counts)
    merge_store.forget(redirect.merge_id, redirect.contact_id)


def _add_contacts(work: ErasureWork, contact_ids: list[str]) -> None:
    work.contacts += [c for c in contact_ids if c not in work.contacts]


# What an agent wrote about a contact, each kind in its own partition: swept after the contact.
_WRITTEN_ON_CONTACT = (("notes", notes_store.drop_some), ("followups", followup_store.drop_some))


def _erase_written(contact_id: str, counts: dict[str, int], deadline: float) -> bool:
    """A contact's notes and follow-ups, after the contact: one written before
    it went is swept here, one written after fails its guard (the contact is
    gone). Page by page within the pass; False when the pass ends first."""
    for kind, drop_some in _WRITTEN_ON_CONTACT:
        while True:
            if _pass_over(deadline):
                return False
            gone, more = drop_some(contact_id)
            counts[kind] += gone
            if not more:
                break
    return True


def _erase_calls(work: ErasureWork, counts: dict[str, int], deadline: float) -> bool:
    """Every call of an erased contact or from an erased identifier, place by
    place; then what remains in that place (entries whose tree was already
    gone, after an interrupted pass)."""
    at = work.at
    places = [("history", c) for c in work.contacts] + [("calls_from", *pair) for pair in work.identifiers]
    while at.get("settled", 0) < len(places):
        kind, *parts = places[at.get("settled", 0)]
        call_ids = call_store.every_call_of(parts[0]) if kind == "history" else call_store.every_call_from(*parts)
        for call_id in call_ids:
            if _pass_over(deadline):
                return False
            _settle_call(call_id, work, counts)
        if _pass_over(deadline):
            return False
        counts["call_entries"] += call_store.drop_entries(kind, *parts)
        at["settled"] = at.get("settled", 0) + 1
    work.step = "check"
    return True


def _settle_call(call_id: str, work: ErasureWork, counts: dict[str, int]) -> None:
    """Erase a call of the person's; a call of somebody else's that only came
    from one of their numbers loses the number (or, shown to several, just
    stops showing to the erased contacts). Read again if a leg lands meanwhile."""
    erased = set(work.contacts)
    for _ in range(MAX_ROUNDS):
        tree = call_store.get(call_id)
        if tree is None:
            return
        fate = call_fate(tree, erased, {tuple(p) for p in work.identifiers})
        try:
            if fate == "erase":
                for summary in tree.get("attachments", []):
                    _erase_attachment(summary.get("id"), counts)
                counts["call_entries"] += call_store.erase(tree)
                counts["calls"] += 1
                counts["legs"] += len(tree.get("legs", {}))
                counts["notes"] += len(tree.get("notes") or [])
            elif fate == "keep-without":
                new = dict(tree)
                if _from_erased(tree, work):  # she called: her number goes, and what agents noted of her
                    counts["notes"] += len(tree.get("notes") or [])
                    new = interactions.anonymised(tree) | {"notes": [], "wrapups": [
                        w | {"note": None} for w in tree.get("wrapups") or []]}  # the code stays, for the counts
                new["shown_to"] = [c for c in new.get("shown_to", []) if c not in erased]
                new |= {"version": tree["version"] + 1, "updated_at": now_iso()}
                call_store.write(tree, new)
                counts["calls_kept_for_others"] += 1
            return
        except call_store.StaleTree:
            continue
    raise Contended(f"call {call_id} kept changing during the erasure")


def _from_erased(tree: dict[str, Any], work: ErasureWork) -> bool:
    return bool(tree.get("origin")) and list(tree["origin"]) in work.identifiers


def call_fate(tree: dict[str, Any], erased: set[str], identifiers: set[tuple[str, ...]]) -> str:
    """``erase`` (the person's call) or ``keep-without`` (another contact's
    call that came from the person's number, or that also shows to others)."""
    linked = tree.get("contact_id")
    if linked:
        return "erase" if linked in erased else "keep-without"
    origin = tuple(tree["origin"]) if tree.get("origin") else None
    if origin in identifiers:
        return "erase"
    others = [c for c in tree.get("shown_to", []) if c not in erased]
    return "keep-without" if others else "erase"


def _pass_over(deadline: float, reserve: int = CALLS_A_STEP) -> bool:
    """A pass ends at its time or near the request's DynamoDB call cap (the
    receipt then says running, and the next run goes on)."""
    return time.monotonic() > deadline or not metering.budget_left(reserve=reserve)


def _erase_attachment(attachment_id: str | None, counts: dict[str, int]) -> None:
    attachment = attachment_store.get(attachment_id) if attachment_id else None
    if attachment is None:
        return
    if blobs.head(attachment.key) is not None:
        counts["files"] += 1
    blobs.delete(attachment.key)
    attachment_store.erase(attachment)
    counts["attachments"] += 1
