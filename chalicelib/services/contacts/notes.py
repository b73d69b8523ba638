"""Notes on a contact: what an agent wrote down about a call or a promise.

Each note is its own item (a contact may gather many without its document
growing or its version moving, so a note never collides with an edit). The
write is guarded by the contact's existence and carries an audit entry
naming ``notes``; an erasure deletes the notes after the contact, and an
access request returns them."""
from __future__ import annotations

from chalicelib.core import actor
from chalicelib.core.clock import now_iso
from chalicelib.core.ids import check_id, new_ordered_id
from chalicelib.models.notes import Note, NoteRequest
from chalicelib.services.privacy import audit
from chalicelib.store import contacts as contact_store
from chalicelib.store import notes as store

NOTES_ON_CARD = 5


def new_note(request: NoteRequest) -> Note:
    # Ordered: two notes written in one millisecond are listed in the order they were written.
    return Note(id=new_ordered_id(), text=request.text, author=actor.current().who, created_at=now_iso())


def add(contact_id: str, request: NoteRequest) -> Note:
    check_id(contact_id, "contact_id")
    note = new_note(request)
    store.add(contact_id, note, audit.entry("noted", contact_id, None, None, fields=["notes"]))
    return note


def listing(contact_id: str, limit: int, cursor: str | None, *, merged: list[str] | None = None
            ) -> tuple[list[Note], str | None]:
    """A contact's notes with those of contacts merged into it, newest first
    (``merged``: the caller has just read the contact, and this is its
    ``merged_from``; else one GetItem reads it)."""
    check_id(contact_id, "contact_id")
    if merged is None:
        merged = contact_store.load(contact_id).doc.get("merged_from") or []
    return store.page(contact_id, limit, cursor, merged)
