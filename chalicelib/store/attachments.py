"""Attachments: the attachment record, its short-link code, and the entry
that lists it under its contact."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.models.attachment import FileEntry
from chalicelib.store import records
from chalicelib.store.codec import serialize, value
from chalicelib.store.dynamo import call, query_page
from chalicelib.store.entities.attachments import AttachmentItem, ContactAttachmentItem, ShortLinkItem, StoredAttachment


def _attachment(item: dict[str, Any] | None) -> StoredAttachment | None:
    return AttachmentItem.from_item(item) if item else None


def _entry(item: dict[str, Any]) -> FileEntry:
    return ContactAttachmentItem.from_item(item)


def add(attachment: StoredAttachment, listing: FileEntry | None) -> bool:
    """Store a new attachment, its code and (``listing``) its contact entry
    together; False if the id or code is taken."""
    writes = [(AttachmentItem.keys(attachment.id), asdict(attachment), True),
              (ShortLinkItem.keys(attachment.code), {"attachment_id": attachment.id, "ttl": attachment.ttl}, True)]
    if listing is not None and attachment.contact_id:
        writes.append((ContactAttachmentItem.keys(attachment.contact_id, attachment.created_at, attachment.id),
                       listing.model_dump() | {"ttl": attachment.ttl}, True))
    return records.put_together(writes)


def get(attachment_id: str) -> StoredAttachment | None:
    return _attachment(records.get(AttachmentItem.keys(attachment_id)))


def fetch(attachment_id: str) -> StoredAttachment:
    return _attachment(records.fetch(AttachmentItem.keys(attachment_id), f"attachment {attachment_id}"))


def put(attachment: StoredAttachment) -> None:
    records.put(AttachmentItem.keys(attachment.id), asdict(attachment))


def mark_stored(attachment_id: str, fields: dict[str, Any]) -> None:
    """Set ``fields`` on the attachment if it is still there, not revoked and
    not marked yet (an erasure or a revocation racing this wins)."""
    names = {f"#f{i}": k for i, k in enumerate(fields)}
    try:
        call("update_item", Key=serialize(AttachmentItem.keys(attachment_id)),
             UpdateExpression="SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields))),
             ConditionExpression="attribute_exists(PK) AND (attribute_not_exists(revoked) OR revoked = :no) AND "
                                 "(attribute_not_exists(#status) OR #status <> :stored)",
             ExpressionAttributeNames=names | {"#status": "status"},
             ExpressionAttributeValues={f":f{i}": value(v) for i, v in enumerate(fields.values())}
             | {":stored": value("stored"), ":no": value(False)})
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise


def unlist(attachment: StoredAttachment) -> None:
    """Remove the attachment from its contact's list."""
    records.put_together([(ContactAttachmentItem.keys(attachment.contact_id, attachment.created_at, attachment.id),
                           None, False)])


def by_code(code: str) -> StoredAttachment | None:
    """The attachment a short-link code names, if both exist."""
    link = records.get(ShortLinkItem.keys(code))
    return get(link["attachment_id"]) if link else None


def of_contact(contact_id: str, merged: list[str] = ()) -> list[FileEntry]:
    """A contact's attachment entries (and those of the contacts ``merged`` into it)."""
    return [_entry(r) for holder in [contact_id, *merged]
            for r in records.read_partition(ContactAttachmentItem.pk_of(holder))]


def of_contact_page(contact_id: str, limit: int, page_cursor: str | None) -> tuple[list[FileEntry], str | None]:
    """One page of a contact's attachment entries, oldest first."""
    pk = ContactAttachmentItem.pk_of(contact_id)
    found, next_cursor = query_page(pk, page_cursor, KeyConditionExpression="PK = :pk",
                                    ExpressionAttributeValues={":pk": value(pk)}, ConsistentRead=True, Limit=limit)
    return [_entry(r) for r in found], next_cursor


def erase(attachment: StoredAttachment) -> None:
    """Forget an attachment: its record, its short link and its contact entry (the file goes separately)."""
    writes: list[tuple[dict[str, str], dict[str, Any] | None, bool]] = [
        (AttachmentItem.keys(attachment.id), None, False), (ShortLinkItem.keys(attachment.code), None, False)]
    if attachment.contact_id:
        writes.append((ContactAttachmentItem.keys(attachment.contact_id, attachment.created_at, attachment.id),
                       None, False))
    records.put_together(writes)
