"""Notes on contacts: one item each under the contact's notes partition,
written with a guard that the contact still exists (so a note never outlives
an erasure that deleted its contact first) and its audit entry."""
from __future__ import annotations

from typing import Any

from chalicelib.models.notes import Note
from chalicelib.store import audit as audit_store
from chalicelib.store import privacy as privacy_store
from chalicelib.store.codec import value
from chalicelib.store.dynamo import batch_delete, call, query_page, query_partitions
from chalicelib.store.entities.notes import NoteItem
from chalicelib.store.transaction import Transaction


def _note(item: dict[str, Any]) -> Note:
    return NoteItem.from_item(item)


def add(contact_id: str, note: Note, audit: dict[str, Any]) -> None:
    """Store ``note`` on the contact, or NotFound if the contact is gone."""
    tx = Transaction()
    tx.put_new(NoteItem.keys(contact_id, note.created_at, note.id) | note.model_dump())
    audit_store.add(tx, audit)
    privacy_store.commit_on_contact(tx, contact_id)


def page(contact_id: str, limit: int, page_cursor: str | None, merged: list[str] = ()
         ) -> tuple[list[Note], str | None]:
    """A contact's notes (and those of the contacts ``merged`` into it), newest first."""
    pk = NoteItem.pk_of(contact_id)
    if merged:
        items, next_cursor = query_partitions(f"notes:{contact_id}", [pk] + [NoteItem.pk_of(m) for m in merged],
                                              page_cursor, limit)
        return [_note(i) for i in items], next_cursor
    items, next_cursor = query_page(pk, page_cursor, KeyConditionExpression="PK = :pk",
                                    ExpressionAttributeValues={":pk": value(pk)}, ScanIndexForward=False,
                                    ConsistentRead=True, Limit=limit)
    return [_note(i) for i in items], next_cursor


def drop_some(contact_id: str, limit: int = 100) -> tuple[int, bool]:
    """Delete up to ``limit`` of a contact's notes (an erasure, page by page
    within its call cap): how many went, and whether more are left."""
    reply = call("query", KeyConditionExpression="PK = :pk", ProjectionExpression="PK, SK", Limit=limit,
                 ExpressionAttributeValues={":pk": value(NoteItem.pk_of(contact_id))}, ConsistentRead=True)
    found = reply.get("Items", [])
    batch_delete(found)
    return len(found), "LastEvaluatedKey" in reply


