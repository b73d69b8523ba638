"""Follow-ups: one item each in the contact's follow-up partition (its GSI1
keys list it under its owner and state), a pointer from its id to its
contact, and, while a callback waits to reach the contact center, an entry
the sync retries from. The create is guarded by the contact's existence,
like a note."""
from __future__ import annotations

from typing import Any

from chalicelib.models.followups import Followup
from chalicelib.store import audit as audit_store
from chalicelib.store import privacy as privacy_store
from chalicelib.store import records
from chalicelib.store.codec import serialize, value
from chalicelib.store.dynamo import batch_delete, call, query_page
from chalicelib.store.entities import ALL_KEYS, CONTACTS_GSI
from chalicelib.store.entities.followups import CallbackSyncItem, FollowupItem, FollowupPointerItem
from chalicelib.store.transaction import Transaction


def _listing(followup: Followup) -> dict[str, str]:
    return FollowupItem.listing(followup.owner, followup.state, followup.due_at, followup.id)


def _item(followup: Followup) -> dict[str, Any]:
    return FollowupItem.keys(followup.contact_id, followup.id) | _listing(followup) | followup.model_dump()


def _record(item: dict[str, Any] | None) -> Followup | None:
    return FollowupItem.from_item(item) if item else None


def add(followup: Followup, audit: dict[str, Any], to_sync: bool) -> None:
    """Store a new follow-up, or NotFound if its contact is gone."""
    tx = Transaction()
    tx.put_new(_item(followup))
    tx.put_new(FollowupPointerItem.keys(followup.id) | {"contact_id": followup.contact_id})
    if to_sync:
        tx.put(CallbackSyncItem.keys(followup.id) | {"contact_id": followup.contact_id})
    audit_store.add(tx, audit)
    privacy_store.commit_on_contact(tx, followup.contact_id)


def get(followup_id: str) -> Followup | None:
    pointer = records.get(FollowupPointerItem.keys(followup_id))
    return _record(records.get(FollowupItem.keys(pointer["contact_id"], followup_id))) if pointer else None


def replace(followup: Followup, done_sync: bool = False) -> None:
    """Write the follow-up as it is now (its listing keys follow its state);
    ``done_sync``: its callback reached the contact center."""
    tx = Transaction()
    tx.put(_item(followup))
    if done_sync:
        tx.delete(CallbackSyncItem.keys(followup.id))
    tx.commit()


def mark_done(followup: Followup) -> bool:
    """Write ``followup`` (done) if the stored one is still open; False if it was done meanwhile."""
    from chalicelib.core.errors import Conflict

    try:
        records.put(FollowupItem.keys(followup.contact_id, followup.id), _listing(followup) | followup.model_dump(),
                    expect={"state": "open"})
    except Conflict:
        return False
    return True


def of_owner(owner: str, state: str, due_before: str | None, limit: int,
             page_cursor: str | None) -> tuple[list[Followup], str | None]:
    """An owner's follow-ups in ``state``, soonest due first (one Query on GSI1)."""
    params: dict[str, Any] = {"IndexName": CONTACTS_GSI, "Limit": limit,
                              "KeyConditionExpression": "GSI1PK = :pk",
                              "ExpressionAttributeValues": {":pk": value(FollowupItem.owner_pk(owner, state))}}
    if due_before:
        params["KeyConditionExpression"] += " AND GSI1SK < :before"
        params["ExpressionAttributeValues"][":before"] = value(due_before)
    items, next_cursor = query_page(f"followups:{owner}:{state}:{due_before}", page_cursor,
                                    key_names=ALL_KEYS, **params)
    return [_record(i) for i in items], next_cursor


def of_contact(contact_id: str, limit: int = 20, merged: list[str] = ()) -> list[Followup]:
    """A contact's follow-ups (and those of the contacts ``merged`` into it;
    one Query each), soonest due first."""
    items = []
    for holder in [contact_id, *merged]:
        found_here, _ = query_page(FollowupItem.pk_of(holder), None, KeyConditionExpression="PK = :pk",
                                   ExpressionAttributeValues={":pk": value(FollowupItem.pk_of(holder))},
                                   ConsistentRead=True, Limit=limit)
        items += found_here
    return sorted((_record(i) for i in items), key=lambda f: (f.due_at, f.id))


def waiting_to_sync(limit: int = 50) -> list[str]:
    """Ids of callbacks still to send to the contact center."""
    reply = call("query", KeyConditionExpression="PK = :pk", Limit=limit, ConsistentRead=True,
                 ExpressionAttributeValues={":pk": value(CallbackSyncItem.pk)})
    return [i["SK"]["S"] for i in reply.get("Items", [])]


def drop_some(contact_id: str, limit: int = 100) -> tuple[int, bool]:
    """Delete up to ``limit`` of a contact's follow-ups with their pointers and
    sync entries (an erasure): how many went, and whether more are left."""
    reply = call("query", KeyConditionExpression="PK = :pk", ProjectionExpression="PK, SK", Limit=limit,
                 ExpressionAttributeValues={":pk": value(FollowupItem.pk_of(contact_id))}, ConsistentRead=True)
    found = reply.get("Items", [])
    typed = []
    for item in found:
        followup_id = item["SK"]["S"]
        typed += [item, serialize(FollowupPointerItem.keys(followup_id)), serialize(CallbackSyncItem.keys(followup_id))]
    batch_delete(typed)
    return len(found), "LastEvaluatedKey" in reply
