"""A contact against the schema: check every field, normalise phones and
e-mail, and derive the index terms (phone, e-mail, name words, searchable
attributes, unique claims). Pure: the schema is passed in."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.core.errors import Invalid, TooLarge
from chalicelib.domain import limits, names, values
from chalicelib.domain.terms import (
    BEGINNING_TYPES,
    BEGINS,
    ENDING_DIGITS,
    MIN_BEGINNING,
    NAME,
    NAME_BEGINS,
    NAME_LONG,
    NAME_PAIR,
    NAME_TRIPLE,
    PHONE_END,
    UNIQUE,
    Term,
)
from chalicelib.models.contact import NAME_FIELDS, size_of
from chalicelib.models.schema import Attribute


@dataclass
class Prepared:
    fields: dict[str, Any]
    normalized: dict[str, str]
    terms: list[Term]
    problems: list[str] = field(default_factory=list)  # lenient mode: what was kept unchecked


def rule_of(attribute: Attribute) -> values.Rule:
    options = tuple(attribute.options) if attribute.options else None
    return values.Rule(attribute.key, attribute.type, attribute.max_length, options)


def index_kind(attribute: Attribute) -> str | None:
    """The index a value of ``attribute`` is written to, if any."""
    if attribute.type == "phone":
        return "phone"
    if attribute.type == "email":
        return "email"
    if attribute.key in NAME_FIELDS:
        return NAME
    return f"attr:{attribute.key}" if attribute.searchable else None


def prepare(given: dict[str, Any], schema: dict[str, Attribute], *, region: str, max_bytes: int,
            creating: bool, lenient: bool = False) -> Prepared:
    """Check ``given`` (the whole contact after a merge). ``lenient`` (used by
    reindex jobs on stored data) keeps what fails instead of refusing it."""
    present = {k: v for k, v in given.items() if v is not None and v != "" and v != []}
    problems: list[str] = []
    unknown = sorted(k for k in present if k not in schema)
    if unknown and not lenient:
        raise Invalid(f"unknown attributes: {', '.join(unknown)} (add them to the schema first)",
                      unknown=unknown)
    if creating:
        for attribute in schema.values():
            if attribute.key not in present and attribute.default is not None:
                present[attribute.key] = attribute.default
    fields: dict[str, Any] = {}
    normalized: dict[str, str] = {}
    terms: list[Term] = []
    for key, raw in present.items():
        attribute = schema.get(key)
        if attribute is None:
            fields[key] = raw
            continue
        try:
            checked = values.check(rule_of(attribute), raw, region)
            if index_kind(attribute) or attribute.unique:  # its values become part of table keys
                for value in checked.index:
                    limits.check_key_value(key, value)
        except Invalid as error:
            if not lenient:
                raise
            problems.append(error.message)
            fields[key] = raw
            continue
        fields[key] = checked.stored
        if checked.normalized:
            normalized[key] = checked.normalized
        kind = index_kind(attribute)
        if kind and kind != NAME:
            terms += [Term(kind, v) for v in checked.index]
        if kind == "phone":
            terms += [Term(PHONE_END, v[-ENDING_DIGITS:]) for v in checked.index]
        if kind and kind.startswith("attr:") and attribute.type in BEGINNING_TYPES:
            terms += [Term(BEGINS + key, v) for v in checked.index if len(v) >= MIN_BEGINNING]
        if attribute.unique and checked.index:
            terms.append(Term(UNIQUE + key, checked.index[0]))
    words = names.name_words(fields.get("first_name"), fields.get("last_name"))
    terms += [Term(NAME, w) for w in words] + [Term(NAME_PAIR, f"{a} {b}") for a, b in names.pairs(words)]
    terms += [Term(NAME_BEGINS, f"{a} {b}") for a, b in names.beginning_pairs(words)]
    terms += [Term(NAME_TRIPLE, " ".join(t)) for t in names.triples(words)]
    terms += [Term(NAME_LONG, w) for w in words] if names.is_long(words) else []
    missing = [a.key for a in schema.values() if a.required and a.key not in fields]
    if missing and not lenient:
        raise Invalid(f"required attributes missing: {', '.join(missing)}", missing=missing)
    if size_of(fields) > max_bytes:
        raise TooLarge(f"contact: the fields take more than {max_bytes} bytes")
    return Prepared(fields, normalized, list(dict.fromkeys(terms)), problems)
