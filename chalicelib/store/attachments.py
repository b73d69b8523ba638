"""Attachments: the attachment record, its short-link code, and the entry
that lists it under its contact."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.store import keys, records
from chalicelib.store.codec import serialize, value
from chalicelib.store.dynamo import call, query_page


def add(record: dict[str, Any], listing: dict[str, Any] | None) -> bool:
    """Store a new attachment, its code and (``listing``) its contact entry
    together; False if the id or code is taken."""
    writes = [(keys.attachment(record["id"]), record, True),
              (keys.short_code(record["code"]), {"attachment_id": record["id"], "ttl": record["ttl"]}, True)]
    if listing is not None:
        writes.append((keys.contact_attachment(record["contact_id"], record["created_at"], record["id"]),
                       listing, True))
    return records.put_together(writes)


def get(attachment_id: str) -> dict[str, Any] | None:
    return records.get(keys.attachment(attachment_id))


def fetch(attachment_id: str) -> dict[str, Any]:
    return records.fetch(keys.attachment(attachment_id), f"attachment {attachment_id}")


def put(record: dict[str, Any]) -> None:
    records.put(keys.attachment(record["id"]), record)


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


def unlist(record: dict[str, Any]) -> None:
    """Remove the attachment from its contact's list."""
    records.put_together([(keys.contact_attachment(record["contact_id"], record["created_at"], record["id"]),
                           None, False)])


def by_code(code: str) -> dict[str, Any] | None:
    """The attachment a short-link code names, if both exist."""
    link = records.get(keys.short_code(code))
    return get(link["attachment_id"]) if link else None


def of_contact(contact_id: str, merged: list[str] = ()) -> list[dict[str, Any]]:
    """A contact's attachment entries (and those of the contacts ``merged`` into it)."""
    return [r for holder in [contact_id, *merged] for r in records.read_partition(keys.contact_attachments_pk(holder))]


def of_contact_page(contact_id: str, limit: int, page_cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a contact's attachment entries, oldest first."""
    pk = keys.contact_attachments_pk(contact_id)
    return query_page(pk, page_cursor, KeyConditionExpression="PK = :pk",
                      ExpressionAttributeValues={":pk": value(pk)}, ConsistentRead=True, Limit=limit)


def erase(record: dict[str, Any]) -> None:
    """Forget an attachment: its record, its short link and its contact entry (the file goes separately)."""
    writes: list[tuple[dict[str, str], dict[str, Any] | None, bool]] = [
        (keys.attachment(record["id"]), None, False), (keys.short_code(record["code"]), None, False)]
    if record.get("contact_id"):
        writes.append((keys.contact_attachment(record["contact_id"], record["created_at"], record["id"]), None, False))
    records.put_together(writes)
