"""``NOTES#<contact id>`` / ``<created_at>#<id>``: a note on a contact
(newest first is one Query); a call's notes live on its tree."""
from __future__ import annotations

from chalicelib.models.notes import Note
from chalicelib.store.entities import Entity, Key


class NoteItem(Entity):
    name, pk = "contact_note", "NOTES#"
    record = Note

    @classmethod
    def keys(cls, contact_id: str, created_at: str, note_id: str) -> Key:
        return {"PK": cls.pk_of(contact_id), "SK": f"{created_at}#{note_id}"}

    @classmethod
    def pk_of(cls, contact_id: str) -> str:
        return f"{cls.pk}{contact_id}"
