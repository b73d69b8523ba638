"""The screen pop's new-caller form: a contact created once per form, for
the number the form was served for.

The form carries a signed token naming that number. The first submission
claims the token and creates the contact; a second one (a reload, a double
click) finds the same contact instead of making another; a token issued for
one number cannot create a contact for another."""
from __future__ import annotations

import hashlib
import time

from chalicelib.core.errors import Conflict, DomainError, Forbidden
from chalicelib.core.settings import get_settings
from chalicelib.domain import callers, phones
from chalicelib.models.contact import Contact, ContactFields
from chalicelib.services.contacts import contacts
from chalicelib.store import forms

FORM_SECONDS = 1800  # an agent may take a while to fill the form in


def _same_caller(issued: str, given: str) -> bool:
    if callers.is_address(issued):
        return callers.normalized_address(issued) == callers.normalized_address(given)
    region = get_settings().default_region
    expected = phones.to_e164(issued, region)
    return expected is not None and expected == phones.to_e164(given, region)


def _settled_soon(token_id: str, seconds: float = 2.0) -> str | None:
    """A double click sends the form twice at once: the second waits briefly
    for the first to finish rather than failing."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.1)
        made = forms.settled(token_id)
        if made:
            return made
    return None


def create_once(signature: str, issued_for: str, fields: ContactFields, if_duplicate: str = "warn") -> Contact:
    """The contact this form creates (or created, if it was sent before).
    ``issued_for``: the caller's number or address the form was opened for
    ("" for a form not opened for a caller)."""
    field = callers.contact_field(issued_for)
    given = getattr(fields, field) or issued_for
    if issued_for and not _same_caller(issued_for, given):
        raise Forbidden(f"{field}: this form was opened for another caller; pop the caller again")
    token_id = hashlib.sha256(signature.encode()).hexdigest()
    expires = int(time.time()) + FORM_SECONDS * 2
    earlier = forms.claim(token_id, expires)
    if earlier is not None:
        made = earlier.contact_id or _settled_soon(token_id)
        if made:
            return contacts.get(made)
        raise Conflict("this form is being saved; wait a moment and reload")
    try:
        contact = contacts.create(fields.model_copy(update={field: given}) if issued_for else fields,
                                  if_duplicate=if_duplicate)
    except DomainError:
        forms.release(token_id)  # nothing was created: the agent may correct the form and send it again
        raise
    forms.settle(token_id, contact.id, expires)
    return contact
