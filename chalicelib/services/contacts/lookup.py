"""The IVR lookup: who is calling?

Mapping rules are tried in order; each takes the call variable it names and
searches the attribute it maps to; the first rule with matches decides. The
caller's number against every phone field is the last resort (schema and
rules come from the per-container cache).

Two answers. ``lookup`` (the JSON answer, the desk's pop) gives the whole
contacts: one index Query per rule tried, then one BatchGetItem. ``brief``
(the flat ``key=value`` lines and Amazon Connect's map) gives what an IVR
branches on, from the card each index entry carries (``domain/ivr``): one
Query per rule tried, nothing more. A rule on a name, or an entry without
a card, reads the contacts as ``lookup`` does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.core.errors import Invalid
from chalicelib.core.settings import get_settings
from chalicelib.domain import ivr, phones, validation, values
from chalicelib.domain.terms import NAME, Term
from chalicelib.models.contact import Contact
from chalicelib.models.lookup import MAX_CANDIDATES, LookupAnswer, MatchedBy
from chalicelib.models.mapping import Rule
from chalicelib.services.contacts import contacts
from chalicelib.services.schema import mapping, schema
from chalicelib.store import contacts as store


@dataclass(frozen=True)
class Brief:
    """What an IVR branches on: the match, the candidates' ids, and the
    unique caller's card (``domain/ivr``)."""
    match: str
    ids: list[str] = field(default_factory=list)
    card: dict[str, Any] | None = None
    matched_by: MatchedBy | None = None
    more: bool = False

    @classmethod
    def of(cls, answer: LookupAnswer) -> Brief:
        """The brief of a whole answer (its unique contact's card made from it)."""
        unique = answer.contacts[0] if answer.match == "unique" else None
        card = None
        if unique is not None:
            data = unique.model_dump()
            card = {"id": unique.id, "fields": data,
                    "consents": {usage: consent.granted for usage, consent in unique.consents.items()}}
        return cls(answer.match, [c.id for c in answer.contacts], card, answer.matchedBy, answer.more)


NONE = Brief("none")


def lookup(ani: str | None, call_variables: dict[str, str]) -> LookupAnswer:
    """The whole contacts the call matches."""
    found = _matched(ani, call_variables)
    return _answer(*found) if found else LookupAnswer(match="none", contacts=[], matchedBy=None)


def brief(ani: str | None, call_variables: dict[str, str]) -> Brief:
    """What the IVR needs, from the index entries' cards: one Query per rule
    tried (the contacts are read only when an entry has no card, or a name
    rule matched)."""
    found = _matched(ani, call_variables)
    if not found:
        return NONE
    hits, matched_by = found
    unique = list(dict.fromkeys(h.contact_id for h in hits))
    if len(unique) > 1:  # the IVR gets their ids only
        return Brief("multiple", unique[:MAX_CANDIDATES], None, matched_by, len(unique) > MAX_CANDIDATES)
    if hits[0].card is None:  # a name rule, or an entry written before cards: read the contact
        return Brief.of(_answer(hits, matched_by))
    return Brief("unique", unique, hits[0].card, matched_by)


def _matched(ani: str | None, call_variables: dict[str, str]) -> tuple[list[store.Found], MatchedBy] | None:
    """The index hits of the first rule that matches, else of the caller's number."""
    attributes = schema.by_key()
    region = get_settings().default_region
    for rule in mapping.rules():
        raw = call_variables.get(rule.callVariable)
        if raw is None or not raw.strip():
            continue
        hits = _rule_hits(rule, raw, attributes, region)
        if hits:
            return hits, MatchedBy(rule=rule, value=raw)
    e164 = phones.to_e164(ani, region) if ani else None
    if e164:
        hits = store.found_by_term(Term("phone", e164), MAX_CANDIDATES + 1)
        if hits:
            return hits, MatchedBy(ani=e164)
    return None


def _rule_hits(rule: Rule, raw: str, attributes: dict[str, Any], region: str) -> list[store.Found]:
    attribute = attributes.get(rule.key)
    kind = validation.index_kind(attribute) if attribute else None
    if kind is None:
        return []  # the attribute stopped being searchable: the rule cannot apply
    if kind == NAME:
        try:
            # Filled: a name of several words reads its exact matches, then the others.
            ids, _ = contacts.filled(lambda size, at: contacts.name_ids(raw, size, at), MAX_CANDIDATES + 1, None)
        except Invalid:
            return []
        return [store.Found(i, None) for i in ids]  # name entries carry no card
    try:
        wanted = values.search_value(validation.rule_of(attribute), raw, region)
    except Invalid:
        return []  # a malformed call variable must not fail the call: try the next rule
    return store.found_by_term(Term(kind, wanted), MAX_CANDIDATES + 1)


def _answer(hits: list[store.Found], matched_by: MatchedBy) -> LookupAnswer:
    unique_ids = list(dict.fromkeys(h.contact_id for h in hits))
    found = [Contact.model_validate(d) for d in store.get_many(unique_ids[:MAX_CANDIDATES])]
    if not found:
        return LookupAnswer(match="none", contacts=[], matchedBy=None)
    return LookupAnswer(
        match="unique" if len(found) == 1 and len(unique_ids) == 1 else "multiple",
        contacts=found, matchedBy=matched_by, more=len(unique_ids) > MAX_CANDIDATES,
    )


SUMMARY_KEYS = ("match", "count", "matched_by", "contact_id", "contact_ids", "more")


def summary(answer: Brief) -> dict[str, str]:
    """The answer as flat text values, what an IVR script or a contact flow
    branches on: the match, the candidates' ids, the caller's core and
    mapped fields (empty unless the match is unique)."""
    by = answer.matched_by
    card = answer.card if answer.match == "unique" else None
    out = {
        "match": answer.match,
        "count": str(len(answer.ids)),
        "matched_by": "" if by is None else "ani" if by.ani else f"rule:{by.rule.callVariable}",
        "contact_id": card["id"] if card else "",
        "contact_ids": ",".join(answer.ids) if answer.match == "multiple" else "",
        "more": "true" if answer.more else "false",
    }
    fields = list(ivr.ALWAYS)
    fields += [r.key for r in mapping.rules() if r.key not in fields]
    data = card["fields"] if card else {}
    for key in fields:
        out[key] = _clean(values.as_text(data.get(key)))
    # Consents as flat yes/no values an IVR branches on: consent_recording=yes.
    for usage, granted in sorted((card["consents"] if card else {}).items()):
        out[f"consent_{usage}"] = "yes" if granted else "no"
    return out


def flat(answer: Brief) -> str:
    """``key=value`` lines for IVR scripts. Ids are never cut; a value longer
    than ``CIM_IVR_VALUE_MAX`` is left empty (a cut value would be read as a
    different one) and named on the last line, ``dropped=``."""
    cut = get_settings().ivr_value_max
    lines, dropped = [], []
    for key, value in summary(answer).items():
        if key not in SUMMARY_KEYS and len(value) > cut:
            dropped.append(key)
            value = ""
        lines.append(f"{key}={value}")
    lines.append(f"dropped={','.join(dropped)}")
    return "".join(line + "\n" for line in lines)


def _clean(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())
