"""A person's identifiers as the privacy records keep them: normalised
(E.164, lower-case e-mail) and then only as a keyed hash (HMAC-SHA256 with
the signing secret), so the suppression list and receipts hold nothing a
reader could turn back into a number without the secret. Rotating
``CIM_SIGNING_SECRET`` changes every hash: the suppression list would have
to be re-made from the receipts' work, which is not built."""
from __future__ import annotations

from pydantic import BaseModel

from chalicelib.core.errors import Invalid
from chalicelib.core.ids import check_id
from chalicelib.core.settings import get_settings
from chalicelib.domain import callers, phones
from chalicelib.store import secrets

PHONE, EMAIL = "phone", "email"


def normalized(kind: str, raw: str) -> str:
    """The identifier as indexed, or Invalid naming the field."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 254:
        raise Invalid(f"{kind}: give a {'phone number' if kind == PHONE else 'e-mail address'} (a string)")
    if kind == PHONE:
        e164 = phones.to_e164(raw, get_settings().default_region)
        if e164 is None:
            raise Invalid(f"phone: {phones.not_valid(raw, get_settings().default_region)}")
        return e164
    if not callers.is_address(raw):
        raise Invalid(f"email: {raw!r} is not an e-mail address")
    return callers.normalized_address(raw)


def digest(kind: str, value: str) -> str:
    """The keyed hash of a normalised identifier."""
    return secrets.identifier_digest(kind, value)


def asked(request: BaseModel) -> tuple[str, str]:
    """The one identifier a privacy request names (its model has already
    checked the fields' names and types): (kind, normalised value)."""
    fields = list(type(request).model_fields)
    named = {k: v for k, v in request.model_dump().items() if v not in (None, "")}
    if len(named) != 1:
        raise Invalid(f"give exactly one of {', '.join(fields[:-1])} or {fields[-1]}")
    (kind, value), = named.items()
    if kind == "contact_id":
        return kind, check_id(value, "contact_id")
    return kind, normalized(kind, value)
