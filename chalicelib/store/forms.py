"""Form tokens used once: the first submission of a new-caller form claims
its token; later submissions of the same form find the contact it made."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.errors import Conflict
from chalicelib.store import records
from chalicelib.store.entities.forms import FormItem


@dataclass(frozen=True)
class FormClaim:
    """A form already sent: the contact it made (None while it is being saved)."""
    contact_id: str | None


def claim(token_id: str, expires: int) -> FormClaim | None:
    """Claim the token: None when this call claimed it, else the claim found."""
    try:
        records.put(FormItem.keys(token_id), {"contact_id": None, "ttl": expires}, new=True)
    except Conflict:
        return FormClaim((records.get(FormItem.keys(token_id)) or {}).get("contact_id"))
    return None


def settle(token_id: str, contact_id: str, expires: int) -> None:
    records.put(FormItem.keys(token_id), {"contact_id": contact_id, "ttl": expires})


def release(token_id: str) -> None:
    """The submission failed (a field was wrong): the form may be sent again."""
    records.put_together([(FormItem.keys(token_id), None, False)])


def settled(token_id: str) -> str | None:
    """The contact a claimed token made, once its submission has finished."""
    found = records.get(FormItem.keys(token_id))
    return found.get("contact_id") if found else None
