"""Attachments: a presigned S3 upload pinned to a server-made key, type and
size range, and a short link that redirects to a one-minute download."""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import public
from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import Conflict, Gone, Invalid, NotFound, TooLarge
from chalicelib.core.ids import check_id, is_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.models.attachment import Attachment, AttachmentCreated, AttachmentRequest, FileEntry, Upload
from chalicelib.services.calls import interactions
from chalicelib.store import attachments as store
from chalicelib.store import blobs
from chalicelib.store import contacts as contact_store
from chalicelib.store.entities.attachments import StoredAttachment
from chalicelib.store.interactions import get as get_tree

MAX_NAME = 200
_CODE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
KEEP_AFTER_EXPIRY = timedelta(days=90)  # the record answers 410, then TTL removes it


class NotYetUploaded(Conflict):
    code = "UploadPending"


def sanitize_file_name(raw: str) -> str:
    """The last path part, without control characters, at most 200 characters
    (the extension kept)."""
    name = re.split(r"[\\/]", raw)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME]
    return name or "file"


def summary(attachment: StoredAttachment) -> FileEntry:
    """What a call tree or contact listing shows of an attachment."""
    return FileEntry(id=attachment.id, fileName=attachment.fileName, mimeType=attachment.mimeType,
                     shortUrl=short_url(attachment.code), created_at=attachment.created_at)


def short_url(code: str) -> str:
    return public.url(f"/a/{code}")


_FAMILIES = {"application": "documents", "image": "images", "text": "text files", "audio": "audio",
             "video": "video"}


def _kinds(types: Any) -> str:
    """The allowed types as people say them: "documents, images and text files"."""
    kinds = list(dict.fromkeys(_FAMILIES.get(t.split("/", 1)[0], t) for t in types))
    return ", ".join(kinds[:-1]) + (" and " if len(kinds) > 1 else "") + kinds[-1]


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB".replace(".0 MB", " MB")


def upload_origin() -> str:
    """The origin a browser posts uploads to (for the page's form-action policy)."""
    return blobs.upload_origin()


def create(request: AttachmentRequest, redirect: str | None = None) -> AttachmentCreated:
    """The record, the short link and a presigned upload form; ``redirect``:
    where S3 sends a browser that posted the form (the desk's card)."""
    settings = get_settings()
    mime = request.mimeType.strip().lower()
    if mime not in settings.attachment_types:
        raise Invalid(f"mimeType: files of type {request.mimeType!r} cannot be attached; "
                      f"{_kinds(settings.attachment_types)} can (the list: CIM_ATTACHMENT_TYPES)")
    if request.size > settings.attachment_max_bytes:
        raise TooLarge(f"size: the file is {_megabytes(request.size)}; a file can be at most "
                       f"{_megabytes(settings.attachment_max_bytes)}")
    if request.contact_id is not None:
        interactions.existing_contact(request.contact_id)
    if request.call_Id is not None and get_tree(interactions.check_call_id(request.call_Id)) is None:
        raise NotFound(f"call {request.call_Id} not found")

    now = datetime.now(UTC)
    attachment_id, code = new_id(), secrets.token_urlsafe(16)  # 128 random bits
    expires = now + timedelta(days=settings.attachment_days)
    attachment = StoredAttachment(
        id=attachment_id, code=code, key=f"attachments/{attachment_id}",
        fileName=sanitize_file_name(request.fileName), mimeType=mime, declaredSize=request.size,
        call_Id=request.call_Id, contact_id=request.contact_id, created_at=iso(now),
        expiresAt=iso(expires), ttl=int((expires + KEEP_AFTER_EXPIRY).timestamp()))
    if not store.add(attachment, summary(attachment) if request.contact_id else None):
        raise Conflict("attachment id collision; retry")
    if request.call_Id:
        interactions.add_attachment(request.call_Id, summary(attachment).model_dump())
    # S3 refuses an upload of any other size or type than declared.
    form = blobs.presigned_post(attachment.key, mime, request.size, settings.upload_seconds, redirect)
    return AttachmentCreated(id=attachment_id, upload=Upload(url=form["url"], fields=form["fields"]),
                             shortUrl=short_url(code), expiresAt=attachment.expiresAt,
                             fileName=attachment.fileName, mimeType=mime, maxBytes=request.size)


def _record(attachment_id: str) -> StoredAttachment:
    return store.fetch(check_id(attachment_id))


def _status(attachment: StoredAttachment) -> tuple[str, dict[str, Any] | None]:
    if attachment.revoked:
        return "revoked", None
    if attachment.expiresAt <= iso(datetime.now(UTC)):
        return "expired", None
    stored = blobs.head(attachment.key)
    if not stored:
        return "pending", None
    # The upload policy pins size and type; an object that differs did not come through it.
    if stored.get("size") != attachment.declaredSize or (
            stored.get("contentType") or "").lower() != attachment.mimeType:
        return "mismatch", stored
    return "stored", stored


def mark_stored(key: str) -> bool:
    """S3 says an object arrived under ``key``: if it is an attachment's file
    as declared, the record says so (``status: stored``, once), which the
    table's stream turns into ``attachment.stored``. False: not one of ours,
    not as declared, or already marked."""
    attachment_id = key.removeprefix("attachments/")
    if not key.startswith("attachments/") or not is_id(attachment_id):
        return False
    attachment = store.get(attachment_id)
    return attachment is not None and _marked(attachment, *_status(attachment))


def _marked(attachment: StoredAttachment, status: str, stored: dict[str, Any] | None) -> bool:
    if status != "stored" or attachment.status == "stored":
        return False
    store.mark_stored(attachment.id, {"status": "stored", "size": stored["size"], "stored_at": now_iso()})
    return True


def describe(attachment_id: str) -> Attachment:
    attachment = _record(attachment_id)
    status, stored = _status(attachment)
    _marked(attachment, status, stored)  # where S3's notification has not (make run), the first reader marks it
    return Attachment(
        id=attachment.id, fileName=attachment.fileName, mimeType=attachment.mimeType,
        declaredSize=attachment.declaredSize, status=status, size=(stored or {}).get("size"),
        contentType=(stored or {}).get("contentType"), shortUrl=short_url(attachment.code),
        call_Id=attachment.call_Id, contact_id=attachment.contact_id,
        created_at=attachment.created_at, expiresAt=attachment.expiresAt,
    )


def revoke(attachment_id: str) -> Attachment:
    attachment = _record(attachment_id)
    blobs.delete(attachment.key)
    store.put(replace(attachment, revoked=True, revoked_at=iso(datetime.now(UTC))))
    if attachment.contact_id:
        store.unlist(attachment)
    if attachment.call_Id:
        interactions.remove_attachment(attachment.call_Id, attachment_id)
    return describe(attachment_id)


def open_link(code: str) -> str:
    """The one-minute download URL behind a short link (404, 409 or 410 otherwise)."""
    if not _CODE.match(code):
        raise NotFound("no such link")
    attachment = store.by_code(code)
    if attachment is None:
        raise NotFound("no such link")
    status, _ = _status(attachment)
    if status in ("revoked", "expired"):
        raise Gone(f"this link has {'been revoked' if status == 'revoked' else 'expired'}")
    if status == "pending":
        raise NotYetUploaded("the file has not been uploaded yet")
    if status == "mismatch":
        raise Conflict("the stored file is not the one declared (size or type differ); upload it again")
    settings = get_settings()
    return blobs.presigned_get(attachment.key, attachment.fileName, attachment.mimeType, settings.download_seconds)


def of_contact(contact_id: str, *, merged: list[str] | None = None) -> list[FileEntry]:
    """The contact's files, with those of contacts merged into it (``merged``:
    the caller has just read the contact, and this is its ``merged_from``)."""
    if merged is None:
        merged = contact_store.load(check_id(contact_id, "contact_id")).doc.get("merged_from") or []
    return store.of_contact(contact_id, merged)


