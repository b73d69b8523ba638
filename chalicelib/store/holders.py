"""Who holds a number or address: one small item per identifier, named by its
keyed hash (``HELD#<hash>``), with the ids of the contacts that hold it.

It is what makes a duplicate warning cheap for many rows at once: a bulk
request of a hundred rows learns which of their numbers and addresses are
held, and by whom, in the BatchGetItem it already makes for suppressions,
where asking the phone and e-mail indexes would take a Query each.

Kept in the contact's own transaction (``ADD``/``DELETE`` on a string set),
and by the batch writes of new contacts (a Put of the set they read first).
An id in a marker is a hint, never an answer: readers keep only the contacts
that still hold the identifier (a merged contact, a later edit or a lost
race leaves an id behind; it costs nothing but a filtered read). An erasure
deletes the markers of the identifiers it erases; the hash alone tells
nothing of the number.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.errors import DomainError
from chalicelib.domain.terms import Term
from chalicelib.store import records
from chalicelib.store.codec import serialize, value
from chalicelib.store.dynamo import batch_get, call
from chalicelib.store.entities import ENTITY
from chalicelib.store.entities.holders import HoldersItem
from chalicelib.store.entities.jobs import HoldersMarkedItem
from chalicelib.store.secrets import identifier_digest
from chalicelib.store.transaction import Transaction

KINDS = ("phone", "email")  # the identifiers a person is recognised by
# A number this many contacts share (a switchboard) says nothing of who is
# who: later holders are not listed, which keeps the item far below
# DynamoDB's 400 KB.
MAX_LISTED = 1000


def digests(terms: Iterable[Term]) -> dict[Term, str]:
    """The keyed hash of each phone number and e-mail address among ``terms``."""
    return {t: identifier_digest(t.kind, t.value) for t in dict.fromkeys(terms) if t.kind in KINDS}


def key(digest: str) -> dict[str, Any]:
    return serialize(HoldersItem.keys(digest))


def hold(tx: Transaction, contact_id: str, terms: Iterable[Term], read: dict[str, set[str]] | None = None) -> None:
    """``contact_id`` now holds these identifiers (steps of ``tx``)."""
    change(tx, gained=[(contact_id, terms)], read=read)


def release(tx: Transaction, contact_id: str, terms: Iterable[Term]) -> None:
    """``contact_id`` no longer holds these identifiers (steps of ``tx``)."""
    change(tx, lost=[(contact_id, terms)])


def change(tx: Transaction, gained: Iterable[tuple[str, Iterable[Term]]] = (),
           lost: Iterable[tuple[str, Iterable[Term]]] = (), read: dict[str, set[str]] | None = None) -> None:
    """Several contacts gaining and losing identifiers in one transaction
    (a merge, an undo): one step a marker, as a transaction allows. Where a
    marker would both gain and lose ids (an undo: the survivor gives back what
    the restored contacts hold), it only loses: a merge leaves the merged
    contacts' ids in place, so they are there already). ``read``: the
    markers as the write read them; one listing ``MAX_LISTED`` ids gains no more."""
    adds: dict[str, set[str]] = {}
    removes: dict[str, set[str]] = {}
    for contact_id, terms in lost:
        for digest in digests(terms).values():
            removes.setdefault(digest, set()).add(contact_id)
    for contact_id, terms in gained:
        for digest in digests(terms).values():
            if digest not in removes and len((read or {}).get(digest, ())) < MAX_LISTED:
                adds.setdefault(digest, set()).add(contact_id)
    for digest, ids in adds.items():
        tx.update(HoldersItem.keys(digest), "ADD ids :ids SET #entity = :entity",
                  {":ids": ids, ":entity": HoldersItem.name}, names={"#entity": ENTITY})
    for digest, ids in removes.items():
        tx.update(HoldersItem.keys(digest), "DELETE ids :ids", {":ids": ids})


def holders_in(items: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    """From items a BatchGetItem returned (decoded): each marker's hash and ids."""
    prefix = HoldersItem.pk
    return {i["PK"].removeprefix(prefix): set(i.get("ids") or ()) for i in items
            if str(i.get("PK", "")).startswith(prefix)}


def read(hashes: Iterable[str]) -> dict[str, set[str]]:
    """Who holds each of these identifiers (one BatchGetItem per 100)."""
    wanted = [key(d) for d in dict.fromkeys(hashes)]
    return holders_in(batch_get(wanted)) if wanted else {}


def marker_items(ids_by_digest: dict[str, set[str]]) -> list[dict[str, Any]]:
    """Markers as a batch write puts them (typed): each with every id given."""
    return [serialize(HoldersItem.keys(d) | {"ids": ids} | HoldersItem.stamp())
            for d, ids in ids_by_digest.items() if ids]


def with_new_holders(read: dict[str, set[str]], new: Iterable[tuple[str, Iterable[Term]]]) -> dict[str, set[str]]:
    """The markers new contacts change, as ``read`` had them plus the new ids."""
    changed: dict[str, set[str]] = {}
    for contact_id, terms in new:
        for digest in digests(terms).values():
            ids = changed.setdefault(digest, set(read.get(digest, ())))
            if len(ids) < MAX_LISTED:
                ids.add(contact_id)
    return changed


def mark(contact_id: str, terms: Iterable[Term]) -> None:
    """Outside a transaction, idempotently: ``contact_id`` holds these (a scan
    puts contacts stored before the markers existed in them; one UpdateItem
    an identifier, skipped on a crowded marker)."""
    for digest in dict.fromkeys(digests(terms).values()):
        try:
            call("update_item", Key=key(digest), UpdateExpression="ADD ids :id SET #entity = :entity",
                 ConditionExpression="attribute_not_exists(ids) OR size(ids) < :most",
                 ExpressionAttributeNames={"#entity": ENTITY},
                 ExpressionAttributeValues={":id": value({contact_id}), ":entity": value(HoldersItem.name),
                                            ":most": value(MAX_LISTED)})
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise


def all_marked() -> bool:
    """Whether a scan has marked every contact stored before the markers existed."""
    return records.get(HoldersMarkedItem.keys()) is not None


def set_all_marked(at: str) -> None:
    records.put(HoldersMarkedItem.keys(), {"at": at})


def drop_if_empty(terms: Iterable[Term]) -> None:
    """After a contact let go of these identifiers: a marker nobody is listed
    in goes (one conditional DeleteItem each), so a deleted contact leaves not
    even the hash of its numbers behind."""
    for digest in dict.fromkeys(digests(terms).values()):
        try:
            call("delete_item", Key=key(digest), ConditionExpression="attribute_not_exists(ids)")
        except (ClientError, DomainError):
            pass  # someone else holds it; or the table stumbled after the write was done, which stands


def forget(kind: str, value: str) -> None:
    """An erasure: the marker of an identifier it erases."""
    call("delete_item", Key=key(identifier_digest(kind, value)))
