"""Attachments: the attachment record, its short-link code, and the entry
that lists it under its contact."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.models.attachment import FileEntry
from chalicelib.store import keys, records
from chalicelib.store.codec import serialize, value
from chalicelib.store.dynamo import call, query_page


@dataclass(frozen=True)
class StoredAttachment(records.Record):
    id: str
    code: str  # of its short link
    key: str  # of its file in the bucket
    fileName: str  # noqa: N815 - the API's names
    mimeType: str  # noqa: N815
    declaredSize: int  # noqa: N815
    created_at: str
    expiresAt: str  # noqa: N815
    ttl: int
    call_Id: str | None = None  # noqa: N815
    contact_id: str | None = None
    revoked: bool = False
    revoked_at: str | None = None
    status: str | None = None  # "stored" once its file arrived as declared
    size: int | None = None
    stored_at: str | None = None


def _attachment(item: dict[str, Any] | None) -> StoredAttachment | None:
    return StoredAttachment.from_item(item) if item else None


def _entry(item: dict[str, Any]) -> FileEntry:
    return FileEntry.model_validate({name: item.get(name) for name in FileEntry.model_fields})


def add(attachment: StoredAttachment, listing: FileEntry | None) -> bool:
    """Store a new attachment, its code and (``listing``) its contact entry
    together; False if the id or code is taken."""
    writes = [(keys.attachment(attachment.id), asdict(attachment), True),
              (keys.short_code(attachment.code), {"attachment_id": attachment.id, "ttl": attachment.ttl}, True)]
    if listing is not None and attachment.contact_id:
        writes.append((keys.contact_attachment(attachment.contact_id, attachment.created_at, attachment.id),
                       listing.model_dump() | {"ttl": attachment.ttl}, True))
    return records.put_together(writes)


def get(attachment_id: str) -> StoredAttachment | None:
    return _attachment(records.get(keys.attachment(attachment_id)))


def fetch(attachment_id: str) -> StoredAttachment:
    return _attachment(records.fetch(keys.attachment(attachment_id), f"attachment {attachment_id}"))


def put(attachment: StoredAttachment) -> None:
    records.put(keys.attachment(attachment.id), asdict(attachment))


def mark_stored(attachment_id: str, fields: dict[str, Any]) -> None:
    """Set ``fields`` on the attachment if it is still there, not revoked and
    not marked yet (an erasure or a revocation racing this wins)."""
    names = {f"#f{i}": k for i, k in enumerate(fields)}
    try:
        call("update_item", Key=serialize(keys.attachment(attachment_id)),
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
    records.put_together([(keys.contact_attachment(attachment.contact_id, attachment.created_at, attachment.id),
                           None, False)])


def by_code(code: str) -> StoredAttachment | None:
    """The attachment a short-link code names, if both exist."""
    link = records.get(keys.short_code(code))
    return get(link["attachment_id"]) if link else None


def of_contact(contact_id: str, merged: list[str] = ()) -> list[FileEntry]:
    """A contact's attachment entries (and those of the contacts ``merged`` into it)."""
    return [_entry(r) for holder in [contact_id, *merged]
            for r in records.read_partition(keys.contact_attachments_pk(holder))]


def of_contact_page(contact_id: str, limit: int, page_cursor: str | None) -> tuple[list[FileEntry], str | None]:
    """One page of a contact's attachment entries, oldest first."""
    pk = keys.contact_attachments_pk(contact_id)
    found, next_cursor = query_page(pk, page_cursor, KeyConditionExpression="PK = :pk",
                                    ExpressionAttributeValues={":pk": value(pk)}, ConsistentRead=True, Limit=limit)
    return [_entry(r) for r in found], next_cursor


def erase(attachment: StoredAttachment) -> None:
    """Forget an attachment: its record, its short link and its contact entry (the file goes separately)."""
    writes: list[tuple[dict[str, str], dict[str, Any] | None, bool]] = [
        (keys.attachment(attachment.id), None, False), (keys.short_code(attachment.code), None, False)]
    if attachment.contact_id:
        writes.append((keys.contact_attachment(attachment.contact_id, attachment.created_at, attachment.id),
                       None, False))
    records.put_together(writes)
