"""A person's identifiers as the privacy records keep them: normalised
(E.164, lower-case e-mail) and then only as a keyed hash (HMAC-SHA256 with
the signing secret), so the suppression list and receipts hold nothing a
reader could turn back into a number without the secret. Rotating
``CIM_SIGNING_SECRET`` changes every hash: the suppression list would have
to be re-made from the receipts' work, which is not built."""
from __future__ import annotations

import hashlib
import hmac
from typing import Any

from chalicelib.core.errors import Invalid
from chalicelib.core.ids import check_id
from chalicelib.core.settings import get_settings
from chalicelib.domain import callers, phones
from chalicelib.store import secrets

PHONE, EMAIL = "phone", "email"
PERSON_KINDS = (PHONE, EMAIL, "contact_id")  # what a privacy request may name a person by


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
    return hmac.new(secrets.signing_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def asked(body: dict[str, Any]) -> tuple[str, str]:
    """The one identifier a privacy request names: (kind, normalised value)."""
    named = [k for k in PERSON_KINDS if body.get(k) not in (None, "")]
    unknown = sorted(set(body) - set(PERSON_KINDS))
    if unknown:
        raise Invalid(f"{unknown[0]}: not a field of this request; give one of phone, email or contact_id")
    if len(named) != 1:
        raise Invalid("give exactly one of phone, email or contact_id")
    kind = named[0]
    if kind == "contact_id":
        if not isinstance(body[kind], str):
            raise Invalid("contact_id: must be a string")
        return kind, check_id(body[kind], "contact_id")
    return kind, normalized(kind, body[kind])
