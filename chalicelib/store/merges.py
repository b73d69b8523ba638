"""Merges of contacts, and their undoing, each one ``TransactWriteItems``.

A merge rewrites the survivor, leaves in each merged contact's place a
redirect (``merged_into``; no document, so no read, index or listing finds
it), drops the merged contacts' index entries, hands their unique claims to
the survivor, and stores the merge record holding what undoing it needs. An
undo writes the merged contacts back as they were, with their entries and
claims, and the survivor as the service computed it. Either all of it or
nothing: a contact changed or merged meanwhile cancels the whole write.
"""
from __future__ import annotations

from typing import Any

from chalicelib.core.errors import Conflict, NotFound
from chalicelib.domain.terms import UNIQUE, Term
from chalicelib.store import audit as audit_store
from chalicelib.store import holders, records
from chalicelib.store import privacy as privacy_store
from chalicelib.store.contacts import (
    EntryShape,
    StoredContact,
    contact_item,
    entries_to_rewrite,
    index_item,
    index_key,
    raise_if_claimed,
    redirect_item,
    terms_for,
)
from chalicelib.store.entities.attachments import ContactAttachmentItem
from chalicelib.store.entities.calls import HistoryItem
from chalicelib.store.entities.contacts import ContactItem
from chalicelib.store.entities.followups import FollowupItem
from chalicelib.store.entities.merges import APPLIED, MergeItem, StoredMerge
from chalicelib.store.entities.notes import NoteItem
from chalicelib.store.transaction import Cancelled, Transaction

# What a contact owns, each in a partition of its own: a merge leaves them
# there, and the survivor reads them through its ``merged_from``.
OWNED = (("calls", HistoryItem.pk_of), ("notes", NoteItem.pk_of),
         ("attachments", ContactAttachmentItem.pk_of), ("followups", FollowupItem.pk_of))


def get(merge_id: str) -> StoredMerge | None:
    found = records.get(MergeItem.keys(merge_id))
    return MergeItem.from_item(found) if found else None


def apply(survivor: StoredContact, doc: dict[str, Any], terms: list[Term], merged: list[StoredContact],
          record: StoredMerge, audits: list[dict[str, Any]], unsuppressed: list[str]) -> None:
    """Write the merge ``record``, the survivor as ``doc`` and a redirect for
    each of ``merged``, all read at the versions given."""
    survivor_id, merge_id = doc["id"], record.merge_id
    group = [survivor_id] + [m.doc["id"] for m in merged]
    tx = Transaction()
    watched = {tx.put(contact_item(doc, survivor.version + 1, terms_for(doc, terms)),
                      only_if="version = :expected", values={":expected": survivor.version}): survivor_id}
    for contact in merged:
        step = tx.put(redirect_item(contact.doc["id"], survivor_id, merge_id, contact.version + 1), only_if="version = :expected",
                      values={":expected": contact.version})
        watched[step] = contact.doc["id"]
    for entry in audits:
        audit_store.add(tx, entry)
    guards = privacy_store.guard_unsuppressed(tx, unsuppressed)
    new_terms = terms_for(doc, terms)
    claims = _rewrite_entries(tx, survivor, doc, new_terms, claimable_from=group)
    taken_over = {t for t in new_terms if t.kind.startswith(UNIQUE)}
    for contact in merged:
        for term in contact.terms:
            if term not in taken_over:  # a unique claim the survivor takes over is rewritten above
                tx.delete(index_key(term, contact.doc["id"]))
    tx.put_new(MergeItem.keys(merge_id) | record.item())
    # The survivor holds what it took over; the merged contacts' ids stay in
    # the markers (a redirect is no holder to a reader) for an undo to find.
    holders.change(tx, gained=[(survivor_id, [t for t in new_terms if t not in survivor.terms])],
                   lost=[(survivor_id, [t for t in survivor.terms if t not in new_terms])])
    _commit(tx, watched, claims, guards, unsuppressed)


def undo(survivor: StoredContact, doc: dict[str, Any], terms: list[Term], restored: list[dict[str, Any]],
         record: StoredMerge, audits: list[dict[str, Any]], unsuppressed: list[str]) -> None:
    """Write each of ``restored`` (stored contact items, as they were) back over
    its redirect, with its entries; the survivor as ``doc``; the merge
    ``record`` as undone (only if it was applied)."""
    survivor_id, merge_id = doc["id"], record.merge_id
    tx = Transaction()
    watched = {tx.put(contact_item(doc, survivor.version + 1, terms_for(doc, terms)),
                      only_if="version = :expected", values={":expected": survivor.version}): survivor_id}
    for item in restored:
        step = tx.put(item, only_if="merge_id = :merge", values={":merge": merge_id})
        watched[step] = item["doc"]["id"]
    for entry in audits:
        audit_store.add(tx, entry)
    guards = privacy_store.guard_unsuppressed(tx, unsuppressed)
    regained = {index_key(Term(*t), item["doc"]["id"])["PK"] for item in restored for t in item["terms"]
                if t[0].startswith(UNIQUE)}
    claims = _rewrite_entries(tx, survivor, doc, terms_for(doc, terms), claimable_from=[survivor_id],
                              leave=regained)
    for item in restored:
        contact_id, its_terms = item["doc"]["id"], [Term(*t) for t in item["terms"]]
        shape = EntryShape.of(item["doc"], its_terms, item["version"])
        for term in its_terms:
            if term.kind.startswith(UNIQUE):  # back from the survivor, unless someone else took it since
                claims.append((tx.put(index_item(term, contact_id, shape), return_old=True,
                                      only_if="attribute_not_exists(PK) OR id IN (:s, :m)",
                                      values={":s": survivor_id, ":m": contact_id}), term))
            else:
                tx.put(index_item(term, contact_id, shape))
    record_step = tx.put(MergeItem.keys(merge_id) | record.item(), only_if="#state = :applied", values={":applied": APPLIED},
                         names={"#state": "state"})
    after = terms_for(doc, terms)
    holders.change(tx, gained=[(survivor_id, [t for t in after if t not in survivor.terms])]
                   + [(item["doc"]["id"], [Term(*t) for t in item["terms"]]) for item in restored],
                   lost=[(survivor_id, [t for t in survivor.terms if t not in after])])
    _commit(tx, watched, claims, guards, unsuppressed, record_step=record_step)


def _rewrite_entries(tx: Transaction, survivor: StoredContact, doc: dict[str, Any], new: list[Term], *,
                     claimable_from: list[str], leave: set[str] = frozenset()) -> list[tuple[int, Term]]:
    """The survivor's index entries from its stored terms to ``new`` (its
    document becoming ``doc``); a unique value may be taken over from any of
    ``claimable_from``. ``leave``: claim keys another step of the transaction writes."""
    contact_id, old = doc["id"], survivor.terms
    shape, new_set = EntryShape.of(doc, new, survivor.version + 1), set(new)  # the survivor's next version
    for term in old:
        if term not in new_set and index_key(term, contact_id)["PK"] not in leave:
            tx.delete(index_key(term, contact_id))
    claims = []
    holders = {f":h{i}": holder for i, holder in enumerate(claimable_from)}
    for term in entries_to_rewrite(EntryShape.of(survivor.doc, old, survivor.version), shape, old, new):
        if term.kind.startswith(UNIQUE):
            claims.append((tx.put(index_item(term, contact_id, shape), return_old=True,
                                  only_if=f"attribute_not_exists(PK) OR id IN ({', '.join(holders)})",
                                  values=holders), term))
        else:
            tx.put(index_item(term, contact_id, shape))
    return claims


def _commit(tx: Transaction, watched: dict[int, str], claims: list[tuple[int, Term]], guards: list[int],
            unsuppressed: list[str], record_step: int | None = None) -> None:
    try:
        tx.commit()
    except Cancelled as cancelled:
        privacy_store.raise_if_suppressed(cancelled, guards, unsuppressed)
        raise_if_claimed(cancelled, claims)
        if cancelled.failed(record_step):
            raise Conflict("the merge was undone meanwhile") from None
        changed = [contact_id for step, contact_id in watched.items() if cancelled.failed(step)]
        if changed:
            raise Conflict(f"contact {', '.join(changed)} changed or was merged meanwhile; read again and retry",
                           changed=changed) from None
        raise Conflict("the contacts were changed meanwhile; read them again and retry",
                       reasons=cancelled.codes) from None


def forget(merge_id: str, contact_id: str) -> None:
    """An erasure: the merge record and the redirect a merged contact left."""
    tx = Transaction()
    tx.delete(MergeItem.keys(merge_id))
    tx.delete(ContactItem.keys(contact_id), only_if="attribute_not_exists(doc)")
    try:
        tx.commit()
    except Cancelled:
        pass  # undone meanwhile: the contact is back, and the erasure's next look finds it


def owned_by(contact_ids: list[str]) -> dict[str, int]:
    """How many calls, notes, attachments and follow-ups these contacts own
    (a counting Query per kind and contact)."""
    return {kind: sum(records.count(pk(c)) for c in contact_ids) for kind, pk in OWNED}


def require(merge_id: str) -> StoredMerge:
    found = get(merge_id)
    if found is None:
        raise NotFound(f"merge {merge_id} not found (or past its undo window)")
    return found
