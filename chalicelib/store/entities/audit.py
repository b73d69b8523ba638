"""``AUDIT#<contact id>`` / ``<at>#<id>``: one change to a contact (who,
when, which route, which fields; personal values masked), written in the
change's own transaction; GSI1 lists every change of a day
(``GSI1PK=AUDIT#<yyyy-mm-dd>``, ``GSI1SK=<at>#<id>``)."""
from __future__ import annotations

from chalicelib.store.entities import Entity, Key


class AuditItem(Entity):
    name, pk = "audit", "AUDIT#"

    @classmethod
    def keys(cls, contact_id: str, at: str, entry_id: str) -> Key:
        """Its table key and its day's listing."""
        return {"PK": cls.pk_of(contact_id), "SK": f"{at}#{entry_id}",
                "GSI1PK": cls.day_pk(at[:10]), "GSI1SK": f"{at}#{entry_id}"}

    @classmethod
    def pk_of(cls, contact_id: str) -> str:
        return f"{cls.pk}{contact_id}"

    @classmethod
    def day_pk(cls, day: str) -> str:
        return f"{cls.pk}{day}"

    @classmethod
    def day_of(cls, day_pk: str) -> str:
        return day_pk.removeprefix(cls.pk)
