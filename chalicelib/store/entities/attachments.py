"""Attachments.

- ``ATT#<id>`` / ``ATT``: an attachment.
- ``SHORT#<code>`` / ``SHORT``: maps a short-link code to it.
- ``ATTS#<contact id>`` / ``<created_at>#<id>``: lists a contact's attachments.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.models.attachment import FileEntry
from chalicelib.store.entities import Entity, Key, Record


@dataclass(frozen=True)
class StoredAttachment(Record):
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



class AttachmentItem(Entity):
    name, pk = "attachment", "ATT#"
    record = StoredAttachment

    @classmethod
    def keys(cls, attachment_id: str) -> Key:
        return {"PK": f"{cls.pk}{attachment_id}", "SK": "ATT"}


class ShortLinkItem(Entity):
    name, pk = "short_link", "SHORT#"

    @classmethod
    def keys(cls, code: str) -> Key:
        return {"PK": f"{cls.pk}{code}", "SK": "SHORT"}


class ContactAttachmentItem(Entity):
    name, pk = "contact_attachment", "ATTS#"
    record = FileEntry

    @classmethod
    def keys(cls, contact_id: str, created_at: str, attachment_id: str) -> Key:
        return {"PK": cls.pk_of(contact_id), "SK": f"{created_at}#{attachment_id}"}

    @classmethod
    def pk_of(cls, contact_id: str) -> str:
        return f"{cls.pk}{contact_id}"
