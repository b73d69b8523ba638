"""``FORM#<digest of a form token>`` / ``FORM``: a new-caller form that was
submitted, and the contact it created (a token is used once; expires via TTL)."""
from __future__ import annotations

from chalicelib.store.entities import Entity, Key


class FormItem(Entity):
    name, pk = "form_token", "FORM#"

    @classmethod
    def keys(cls, token_id: str) -> Key:
        return {"PK": f"{cls.pk}{token_id}", "SK": "FORM"}
