"""Interaction trees in the table.

A tree is one item (its legs in a map), written whole with a version
condition, together with the entries that make it findable: one history
entry per contact it is shown to, and one "calls from this number" entry. So
a history page is one Query plus one BatchGetItem of trees, and a tree never
half-moves from one history to another.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.core.errors import Conflict
from chalicelib.store import keys
from chalicelib.store.codec import deserialize, serialize, value
from chalicelib.store.dynamo import batch_get, call, query_page, transact

MAX_SHOWN_TO = 40  # keeps a tree's transaction under DynamoDB's 100 actions


class StaleTree(Conflict):
    """Someone wrote the tree between our read and our write: read again."""


def get(call_id: str) -> dict[str, Any] | None:
    item = call("get_item", Key=serialize(keys.call(call_id)), ConsistentRead=True).get("Item")
    return _tree(deserialize(item)) if item else None


def _tree(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ("PK", "SK", "entity")}


def _placements(tree: dict[str, Any] | None) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """(history entries, calls-from entries) a tree needs, as key tuples."""
    if not tree:
        return set(), set()
    start, call_id = tree["start_time"], tree["call_Id"]
    history = {(c, start, call_id) for c in tree.get("shown_to", [])}
    origin = tree.get("origin")
    calls_from = {(origin[0], origin[1], start, call_id)} if origin else set()
    return history, calls_from


def write(old: dict[str, Any] | None, new: dict[str, Any]) -> None:
    """Write ``new`` over ``old`` (None: create), moving its entries with it."""
    item = keys.call(new["call_Id"]) | {"entity": "call"} | new
    put: dict[str, Any] = {"Item": serialize(item)}
    if old is None:
        put["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        put["ConditionExpression"] = "version = :v"
        put["ExpressionAttributeValues"] = {":v": value(old["version"])}
    actions: list[dict[str, Any]] = [{"Put": put}]
    old_hist, old_from = _placements(old)
    new_hist, new_from = _placements(new)
    for contact_id, start, call_id in old_hist - new_hist:
        actions.append({"Delete": {"Key": serialize(keys.history_entry(contact_id, start, call_id))}})
    for kind, val, start, call_id in old_from - new_from:
        actions.append({"Delete": {"Key": serialize(keys.calls_from_entry(kind, val, start, call_id))}})
    for contact_id, start, call_id in new_hist - old_hist:
        entry = keys.history_entry(contact_id, start, call_id) | {"call_Id": call_id}
        actions.append({"Put": {"Item": serialize(entry)}})
    for kind, val, start, call_id in new_from - old_from:
        entry = keys.calls_from_entry(kind, val, start, call_id) | {"call_Id": call_id}
        actions.append({"Put": {"Item": serialize(entry)}})
        # Marked before, not inside, the transaction: every call from this
        # number writes the same marker, and concurrent transactions on one
        # item cancel each other. A marker left by a failed write costs a
        # later contact one needless Query, nothing more.
        call("put_item", Item=serialize(keys.caller_seen(kind, val)))
    reasons = transact(actions)
    if reasons is not None:
        raise StaleTree(f"call {new['call_Id']} was changed concurrently; retry")


def get_many(call_ids: list[str]) -> list[dict[str, Any]]:
    """Trees for ``call_ids``, in that order."""
    unique = list(dict.fromkeys(call_ids))
    if not unique:
        return []
    found = {t["call_Id"]: t for t in (_tree(i) for i in batch_get(serialize(keys.call(c)) for c in unique))}
    return [found[c] for c in unique if c in found]


def history(contact_id: str, limit: int, page_cursor: str | None) -> tuple[list[str], str | None]:
    """Call ids in a contact's history, newest first."""
    pk = keys.history_pk(contact_id)
    items, next_cursor = query_page(
        pk, page_cursor, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": value(pk)},
        ScanIndexForward=False, ConsistentRead=True, Limit=limit)
    return [i["call_Id"] for i in items], next_cursor


def callers_seen(numbers: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (kind, value) numbers or addresses have called (one BatchGetItem per 100)."""
    wanted = list(dict.fromkeys(numbers))
    if not wanted:
        return set()
    found = batch_get(serialize(keys.caller_seen(kind, val)) for kind, val in wanted)
    seen = {i["PK"] for i in found}
    return {(kind, val) for kind, val in wanted if keys.caller_seen(kind, val)["PK"] in seen}


def calls_from(kind: str, val: str, limit: int) -> list[str]:
    """The most recent calls from one number or address."""
    reply = call("query", KeyConditionExpression="PK = :pk",
                 ExpressionAttributeValues={":pk": value(keys.calls_from_pk(kind, val))},
                 ScanIndexForward=False, Limit=limit, ConsistentRead=True)
    return [deserialize(i)["call_Id"] for i in reply.get("Items", [])]
