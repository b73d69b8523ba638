"""What an IVR branches on, kept beside the caller's numbers.

The IVR's answer (the flat ``key=value`` lines, Connect's map) needs a
handful of a contact's values: the names, phone1 and e-mail, the fields a
mapping rule may name (every phone, e-mail and searchable attribute), and
whether each consent is granted. That *card* rides on each index entry a
lookup queries (a number, an address, a searchable value), written in the
same transaction as the contact, so the lookup answers from the entry it
finds: one Query, no second read. A card past ``CARD_MAX_BYTES`` (long text
attributes) is not kept; the lookup then reads the contact instead."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from chalicelib.domain.terms import BEGINS, UNIQUE, Term
from chalicelib.models.contact import NAME_FIELDS

CARD_MAX_BYTES = 2000  # a card and its entry stay well under 4 KB: one read unit, strongly consistent
ALWAYS = (*NAME_FIELDS, "phone1", "email")
ATTRIBUTE = "attr:"


def looked_up_by(term: Term) -> bool:
    """An entry the IVR lookup queries: a number, an address, a searchable value."""
    return term.kind in ("phone", "email") or term.kind.startswith(ATTRIBUTE)


def _mappable_keys(doc: dict[str, Any], terms: Iterable[Term]) -> list[str]:
    """Every field a mapping rule may name that this contact holds."""
    names = list(ALWAYS) + list(doc.get("normalized") or {})  # its phone and e-mail fields
    for term in terms:
        for prefix in (ATTRIBUTE, UNIQUE, BEGINS):
            if term.kind.startswith(prefix):
                names.append(term.kind.removeprefix(prefix))
    return list(dict.fromkeys(names))


def card(doc: dict[str, Any], terms: Iterable[Term]) -> dict[str, Any] | None:
    """The contact's card, or None when it would be too large to carry."""
    fields = {k: doc[k] for k in _mappable_keys(doc, terms) if doc.get(k) is not None}
    consents = {usage: bool((given or {}).get("granted")) for usage, given in (doc.get("consents") or {}).items()}
    made = {"id": doc["id"], "fields": fields, "consents": consents}
    if len(json.dumps(made, separators=(",", ":"), default=str).encode()) > CARD_MAX_BYTES:
        return None
    return made
