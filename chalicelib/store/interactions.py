"""Interaction trees in the table.

A tree is one item (its legs in a map), written whole with a version
condition, together with the entries that make it findable: one history
entry per contact it is shown to, and one "calls from this number" entry. So
a history page is one Query plus one BatchGetItem of trees, and a tree never
half-moves from one history to another.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import Conflict, NotFound
from chalicelib.domain import calls
from chalicelib.store import audit as audit_store
from chalicelib.store import aws, records
from chalicelib.store import privacy as privacy_store
from chalicelib.store.codec import deserialize, serialize, value
from chalicelib.store.dynamo import batch_get, call, query_page, query_partitions
from chalicelib.store.entities import STORAGE_ATTRIBUTES
from chalicelib.store.entities.calls import CallDayItem, CallerSeenItem, CallItem, CallsFromItem, HistoryItem
from chalicelib.store.transaction import Cancelled, Transaction

MAX_SHOWN_TO = 40  # keeps a tree's transaction under DynamoDB's 100 actions


class StaleTree(Conflict):
    """Someone wrote the tree between our read and our write; ``current``:
    the tree as it now is (from the cancelled write), so a retry need not read it."""

    def __init__(self, message: str, current: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.current = current


def get(call_id: str) -> dict[str, Any] | None:
    item = call("get_item", Key=serialize(CallItem.keys(call_id)), ConsistentRead=True).get("Item")
    return _tree(deserialize(item)) if item else None


def _tree(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in STORAGE_ATTRIBUTES}


def _placements(tree: dict[str, Any] | None) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """(history entries, calls-from entries) a tree needs, as key tuples."""
    if not tree:
        return set(), set()
    start, call_id = tree["start_time"], tree["call_Id"]
    history = {(c, start, call_id) for c in tree.get("shown_to", [])}
    origin = tree.get("origin")
    calls_from = {(origin[0], origin[1], start, call_id)} if origin else set()
    return history, calls_from


class LinkedContactGone(NotFound):
    """The contact the call is linked to was deleted (or erased) meanwhile."""


def write(old: dict[str, Any] | None, new: dict[str, Any], audit: list[dict[str, Any]] = (), *,
          origin_digest: str | None = None) -> None:
    """Write ``new`` over ``old`` (None: create), moving its entries with it,
    and the ``audit`` entries recording a contact it joins or leaves.

    Guarded: ``origin_digest`` (the keyed hash of the caller's number, when
    the tree has one) must not be suppressed, else ``Suppressed``; a linked
    contact must still exist, else ``LinkedContactGone``. So a write racing
    an erasure never stores what the erasure has already swept."""
    _mark_day(new["created_at"][:10])
    tx = Transaction()
    item = CallItem.keys(new["call_Id"]) | CallItem.day_listing(new["created_at"], new["call_Id"]) | new
    if old is None:
        tx.put_new(item, return_old=True)
    else:
        tx.put(item, only_if="version = :v", values={":v": old["version"]}, return_old=True)
    for entry in audit:
        audit_store.add(tx, entry)
    old_hist, old_from = _placements(old)
    new_hist, new_from = _placements(new)
    for contact_id, start, call_id in old_hist - new_hist:
        tx.delete(HistoryItem.keys(contact_id, start, call_id))
    for kind, val, start, call_id in old_from - new_from:
        tx.delete(CallsFromItem.keys(kind, val, start, call_id))
    expiry = {"ttl": new["ttl"]} if new.get("ttl") else {}  # the entries go when the tree does
    # A history entry carries the call's line (``domain/calls``): every entry is
    # rewritten when the line changes, so a history page needs no tree.
    line = calls.summary_of(new)
    rewritten = new_hist if old is None or calls.summary_of(old) != line else new_hist - old_hist
    for contact_id, start, call_id in rewritten:
        tx.put(HistoryItem.keys(contact_id, start, call_id) | {"call_Id": call_id, "summary": line} | expiry)
    for kind, val, start, call_id in new_from - old_from:
        tx.put(CallsFromItem.keys(kind, val, start, call_id) | {"call_Id": call_id} | expiry)
        # Marked before, not inside, the transaction: every call from this
        # number writes the same marker, and concurrent transactions on one
        # item cancel each other. A marker left by a failed write costs a
        # later contact one needless Query, nothing more.
        call("put_item", Item=serialize(CallerSeenItem.keys(kind, val)))
    origin_guard = [origin_digest] if origin_digest else []
    guards = privacy_store.guard_unsuppressed(tx, origin_guard)
    linking = new.get("contact_id") if new.get("contact_id") != (old or {}).get("contact_id") else None
    link_guard = privacy_store.guard_contact_exists(tx, linking) if linking else None
    try:
        tx.commit()
    except Cancelled as cancelled:
        try:
            privacy_store.raise_if_suppressed(cancelled, guards, origin_guard)
        except privacy_store.Suppressed:
            if new.get("origin"):  # nothing of the caller may stay behind, not even the marker
                forget_caller(*new["origin"])
            raise
        if cancelled.failed(link_guard):
            if (cancelled.old(link_guard) or {}).get("merged_into"):  # an agent's link to a merged id
                privacy_store.raise_if_no_contact(cancelled, link_guard, linking)
            raise LinkedContactGone(f"contact {linking} not found") from None
        found = cancelled.old(0)
        raise StaleTree(f"call {new['call_Id']} was changed concurrently; retry",
                        _tree(found) if found else None) from None


def _mark_day(day: str) -> None:
    """Before the tree is listed under its day's shards, say the day has some
    (outside the transaction: every tree of the day shares the marker; a
    container writes it once a day, not once a leg)."""
    marked = aws.memo("call days")
    if day not in marked:
        call("put_item", Item=serialize(CallDayItem.keys(day)))
        marked.add(day)


def day_is_marked(day: str) -> bool:
    return bool(call("get_item", Key=serialize(CallDayItem.keys(day))).get("Item"))


def get_many(call_ids: list[str]) -> list[dict[str, Any]]:
    """Trees for ``call_ids``, in that order."""
    unique = list(dict.fromkeys(call_ids))
    if not unique:
        return []
    found = {t["call_Id"]: t for t in (_tree(i) for i in batch_get(serialize(CallItem.keys(c)) for c in unique))}
    return [found[c] for c in unique if c in found]


@dataclass(frozen=True)
class HistoryEntry:
    call_id: str
    summary: dict[str, Any] | None  # the call's line; None on an entry written before lines were kept


def history(contact_id: str, limit: int, page_cursor: str | None, merged: list[str] = ()
            ) -> tuple[list[HistoryEntry], str | None]:
    """A contact's history entries (and those of the contacts ``merged`` into it), newest first."""
    pk = HistoryItem.pk_of(contact_id)
    if merged:
        items, next_cursor = query_partitions(f"history:{contact_id}", [pk] + [HistoryItem.pk_of(m) for m in merged],
                                              page_cursor, limit)
    else:
        items, next_cursor = query_page(
            pk, page_cursor, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": value(pk)},
            ScanIndexForward=False, ConsistentRead=True, Limit=limit)
    entries: dict[str, HistoryEntry] = {}  # a call shown to two merged contacts is listed once
    for item in items:
        entries.setdefault(item["call_Id"], HistoryEntry(item["call_Id"], item.get("summary")))
    return list(entries.values()), next_cursor


def callers_seen(numbers: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (kind, value) numbers or addresses have called (one BatchGetItem per 100)."""
    wanted = list(dict.fromkeys(numbers))
    if not wanted:
        return set()
    found = batch_get(serialize(CallerSeenItem.keys(kind, val)) for kind, val in wanted)
    seen = {i["PK"] for i in found}
    return {(kind, val) for kind, val in wanted if CallerSeenItem.keys(kind, val)["PK"] in seen}


def calls_from(kind: str, val: str, limit: int) -> list[str]:
    """The most recent calls from one number or address."""
    reply = call("query", KeyConditionExpression="PK = :pk",
                 ExpressionAttributeValues={":pk": value(CallsFromItem.pk_of(kind, val))},
                 ScanIndexForward=False, Limit=limit, ConsistentRead=True)
    return [deserialize(i)["call_Id"] for i in reply.get("Items", [])]


def calls_from_page(kind: str, val: str, limit: int, page_cursor: str | None) -> tuple[list[str], str | None]:
    """One page of the calls from one number or address, newest first."""
    pk = CallsFromItem.pk_of(kind, val)
    items, next_cursor = query_page(
        pk, page_cursor, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": value(pk)},
        ScanIndexForward=False, ConsistentRead=True, Limit=limit)
    return [i["call_Id"] for i in items], next_cursor


def every_call_of(contact_id: str) -> list[str]:
    """Every call id in a contact's history (an erasure or an access request)."""
    return _all_call_ids(HistoryItem.pk_of(contact_id))


def every_call_from(kind: str, val: str) -> list[str]:
    """Every call id from one number or address."""
    return _all_call_ids(CallsFromItem.pk_of(kind, val))


def _all_call_ids(pk: str) -> list[str]:
    return list(dict.fromkeys(r["call_Id"] for r in records.read_partition(pk)))


def erase(tree: dict[str, Any]) -> int:
    """Delete a tree and every entry that finds it, in one transaction;
    the number of entries removed. Raises StaleTree if it changed meanwhile."""
    history, calls_from = _placements(tree)
    tx = Transaction()
    tx.delete(CallItem.keys(tree["call_Id"]), only_if="version = :v", values={":v": tree["version"]})
    for entry in history:
        tx.delete(HistoryItem.keys(*entry))
    for entry in calls_from:
        tx.delete(CallsFromItem.keys(*entry))
    try:
        tx.commit()
    except Cancelled:
        raise StaleTree(f"call {tree['call_Id']} was changed concurrently; retry") from None
    return len(history) + len(calls_from)


def drop_entries(pk_kind: str, *parts: str) -> int:
    """Delete what remains in a history or calls-from partition (entries whose tree is gone)."""
    pk = HistoryItem.pk_of(parts[0]) if pk_kind == "history" else CallsFromItem.pk_of(parts[0], parts[1])
    left = records.read_partition(pk, keep_keys=True)
    for entry in left:
        call("delete_item", Key=serialize({"PK": entry["PK"], "SK": entry["SK"]}))
    return len(left)


def forget_caller(kind: str, val: str) -> bool:
    """Delete the "this number has called" marker; whether there was one."""
    reply = call("delete_item", Key=serialize(CallerSeenItem.keys(kind, val)), ReturnValues="ALL_OLD")
    return bool(reply.get("Attributes"))


def entry_keys(tree: dict[str, Any]) -> list[dict[str, str]]:
    """The keys of the history and calls-from entries of a tree."""
    history, calls_from = _placements(tree)
    return [HistoryItem.keys(*h) for h in history] + [CallsFromItem.keys(*c) for c in calls_from]
