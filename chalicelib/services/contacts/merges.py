"""Merging contacts that are the same person, and undoing a merge exactly
(docs/api.md, "Merging contacts").

A merge is one transaction (store/merges.py): the survivor takes the chosen
values, the merged contacts' consents (a withdrawal beats a grant) and their
identifiers; each merged contact becomes a redirect. What the merged
contacts own (calls, notes, files, follow-ups) stays under their ids and is
read through the survivor (``merged_from``), so nothing moves and an undo
has nothing to move back: it writes the merged contacts as they were and
gives the survivor its earlier values for the fields the merge changed,
keeping every change made to it since.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import actor
from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import Conflict, Gone, Invalid, Merged, NotFound
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.domain import merges as rules
from chalicelib.domain.terms import Term
from chalicelib.models.common import parse
from chalicelib.models.merges import MergePreview, MergeRecord, MergeRequest, MergeResult, UndoResult
from chalicelib.services.calls import interactions
from chalicelib.services.contacts import contacts
from chalicelib.services.privacy import audit
from chalicelib.services.schema import schema
from chalicelib.store import contacts as contact_store
from chalicelib.store import interactions as call_store
from chalicelib.store import merges as store
from chalicelib.store.entities.merges import APPLIED, Snapshot, StoredMerge

RETURN_SCAN = 200  # the latest calls of a number looked at when an undo gives its calls back


def preview(survivor_id: str, merged_id: str) -> MergePreview:
    """What merging ``merged_id`` into ``survivor_id`` would make (the desk's merge form)."""
    return merge(parse(MergeRequest, {"survivor_id": survivor_id, "merged_ids": [merged_id], "dry_run": True}))


def merge(request: MergeRequest) -> MergePreview | MergeResult:
    rules.check_group(request.survivor_id, request.merged_ids)
    survivor = _live(request.survivor_id, "survivor_id")
    merged = [_live(m, "merged_ids") for m in request.merged_ids]
    editable = set(schema.by_key())
    fields = rules.chosen_fields(survivor.doc, [m.doc for m in merged], request.fields, editable)
    try:
        fields, normalized, terms = contacts.prepare_fields(fields)
    except Invalid as error:
        raise Invalid(f"the merged contact would not be valid: {error.message}") from None
    attached = rules.attached_identifiers((survivor.doc, survivor.terms), [(m.doc, m.terms) for m in merged], terms)
    doc = fields | {
        "id": survivor.doc["id"], "normalized": normalized, "created_at": survivor.doc["created_at"],
        "updated_at": now_iso(),
        "consents": rules.merged_consents(survivor.doc, [m.doc for m in merged]),
        "merged_from": list(dict.fromkeys(list(survivor.doc.get("merged_from") or [])
                                          + rules.family([m.doc for m in merged]))),
        "merged_identifiers": list(survivor.doc.get("merged_identifiers") or []) + attached,
    }
    doc = {k: v for k, v in doc.items() if v not in ({}, [])}
    if request.dry_run:
        return MergePreview(contact=contacts.to_model(doc, survivor.version + 1), moves=_moves(survivor, merged, doc))
    return _apply(survivor, merged, doc, terms, attached)


def _live(contact_id: str, field: str) -> contact_store.StoredContact:
    try:
        return contacts.load(contact_id)
    except Merged as merged:
        raise Conflict(f"{field}: contact {contact_id} was merged into {merged.details['merged_into']} already",
                       merged_into=merged.details["merged_into"]) from None
    except NotFound:
        raise NotFound(f"{field}: contact {contact_id} not found") from None


def _moves(survivor: contact_store.StoredContact, merged: list[contact_store.StoredContact],
           doc: dict[str, Any]) -> dict[str, int]:
    """What the survivor takes over, counted (one Query per kind and merged contact)."""
    family = rules.family([m.doc for m in merged])
    counts = store.owned_by(family)
    counts["identifiers"] = len(doc.get("merged_identifiers") or []) - len(survivor.doc.get("merged_identifiers") or [])
    before = survivor.doc.get("consents") or {}
    counts["consents"] = sum(1 for u, c in (doc.get("consents") or {}).items() if before.get(u) != c)
    return counts


def _apply(survivor: contact_store.StoredContact, merged: list[contact_store.StoredContact],
           doc: dict[str, Any], terms: list[Term], attached: list[dict[str, str]]) -> MergeResult:
    merge_id, at = new_id(), datetime.now(UTC)
    until = at + timedelta(days=get_settings().merge_undo_days)
    survivor_id = survivor.doc["id"]
    all_terms = contact_store.terms_for(doc, terms)
    gained = [t for t in all_terms if t not in survivor.terms]
    record = StoredMerge(
        merge_id=merge_id, survivor_id=survivor_id, merged_ids=[m.doc["id"] for m in merged],
        family=rules.family([m.doc for m in merged]), state=APPLIED, by=actor.current().who,
        at=iso(at), undo_until=iso(until), ttl=int(until.timestamp()),
        # What undoing needs (personal data: dropped on undo, erased with either side).
        attached=attached, survivor_before=survivor.doc, survivor_after=doc,
        snapshots=[Snapshot(m.doc, m.version, list(m.terms)) for m in merged])
    audits = [audit.entry("merged", survivor_id, survivor.doc, doc, version=survivor.version + 1)] + [
        audit.entry("merged", m.doc["id"], m.doc, None, fields=[f"merged_into:{survivor_id}"]) for m in merged]
    contacts.screen(doc, gained, [])
    with contacts.refusing_suppressed(doc, gained):
        store.apply(survivor, doc, terms, merged, record, audits, contacts.guards(gained))
    # No call is rewritten: the merged contacts' calls are the survivor's
    # through ``merged_from``, and a new call from their numbers finds the survivor.
    return MergeResult(merge_id=merge_id, contact=contacts.to_model(doc, survivor.version + 1))


def get(merge_id: str) -> MergeRecord:
    return MergeRecord.model_validate(store.require(check_id(merge_id, "merge_id")).item())


def undo(merge_id: str) -> UndoResult:
    record = store.require(check_id(merge_id, "merge_id"))
    if record.state != APPLIED:
        raise Conflict(f"merge {merge_id} was undone already ({record.undone_at})")
    if now_iso() > record.undo_until:
        raise Gone(f"merge {merge_id} can be undone until {record.undo_until} (CIM_MERGE_UNDO_DAYS)")
    survivor_id = record.survivor_id
    try:
        current = contacts.load(survivor_id)
    except Merged as merged:
        raise Conflict(f"the survivor {survivor_id} was merged into {merged.details['merged_into']} since; "
                       "undo that merge first", merged_into=merged.details["merged_into"]) from None
    editable = set(schema.by_key())
    before, after = record.survivor_before, record.survivor_after
    fields, conflicts = rules.undone_fields(before, after, current.doc, editable)
    consents, consent_conflicts = rules.undone_consents(before, after, current.doc)
    try:
        fields, normalized, terms = contacts.prepare_fields(fields)
    except Invalid as error:
        raise Conflict(f"the survivor cannot take its earlier values back: {error.message}") from None
    family, attached = set(record.family), record.attached or []
    doc = fields | {
        "id": survivor_id, "normalized": normalized, "created_at": current.doc["created_at"], "updated_at": now_iso(),
        "consents": consents,
        "merged_from": [c for c in current.doc.get("merged_from") or [] if c not in family],
        "merged_identifiers": [i for i in current.doc.get("merged_identifiers") or [] if i not in attached],
    }
    doc = {k: v for k, v in doc.items() if v not in ({}, [])}
    snapshots = record.snapshots or []
    # As they were, with the last-change entry a snapshot taken before those entries existed lacks.
    restored_items = [contact_store.contact_item(s.doc, s.version, contact_store.terms_for(s.doc, s.terms))
                      for s in snapshots]
    restored_terms = [s.terms for s in snapshots]
    all_terms = contact_store.terms_for(doc, terms)
    gained = [t for t in all_terms if t not in current.terms]
    lost = [t for t in current.terms if t not in all_terms]
    who, at = actor.current().who, now_iso()
    closed = record.undone(who, at)
    audits = [audit.entry("unmerged", survivor_id, current.doc, doc, version=current.version + 1)] + [
        audit.entry("restored", s.doc["id"], None, s.doc, version=s.version) for s in snapshots]
    back = [t for ts in restored_terms for t in ts]
    seen = contacts.screen(doc, gained + back, lost).seen
    with contacts.refusing_suppressed(doc, gained + back):
        store.undo(current, doc, terms, restored_items, closed, audits, contacts.guards(gained + back))
    interactions.follow_contacts([(survivor_id, gained, lost)]
                                 + [(s.doc["id"], ts, []) for s, ts in zip(snapshots, restored_terms)], seen)
    returned = sum(_return_calls(survivor_id, s.doc["id"], ts, record.at) for s, ts in zip(snapshots, restored_terms))
    return UndoResult(merge_id=merge_id, state="undone", contact=contacts.to_model(doc, current.version + 1),
                      restored=[contacts.to_model(s.doc, s.version) for s in snapshots],
                      conflicts=conflicts + consent_conflicts, calls_returned=returned)


def _return_calls(survivor_id: str, contact_id: str, terms: list[Term], since: str) -> int:
    """Calls from the restored contact's own numbers, linked to the survivor
    since the merge (a lookup found the survivor by them), go back to it."""
    returned = 0
    for term in terms:
        if term.kind not in rules.IDENTIFYING:
            continue
        for tree in call_store.get_many(call_store.calls_from(term.kind, term.value, RETURN_SCAN)):
            if tree.get("contact_id") == survivor_id and tree.get("created_at", "") >= since:
                interactions.link(tree["call_Id"], contact_id)
                returned += 1
    return returned
