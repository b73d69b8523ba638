"""The IVR lookup: who is calling?

Mapping rules are tried in order; each takes the call variable it names and
searches the attribute it maps to; the first rule with matches decides. The
caller's number against every phone field is the last resort. Cost: one
index Query per rule tried, one BatchGetItem for the answer (schema and
rules come from the per-container cache).
"""
from __future__ import annotations

from typing import Any

from chalicelib.core.errors import Invalid
from chalicelib.core.settings import get_settings
from chalicelib.domain import phones, validation, values
from chalicelib.domain.terms import NAME, Term
from chalicelib.models.contact import NAME_FIELDS, Contact
from chalicelib.models.lookup import MAX_CANDIDATES, LookupAnswer, MatchedBy
from chalicelib.models.mapping import Rule
from chalicelib.services.contacts import contacts
from chalicelib.services.schema import mapping, schema
from chalicelib.store import contacts as store


def lookup(ani: str | None, call_variables: dict[str, str]) -> LookupAnswer:
    attributes = schema.by_key()
    region = get_settings().default_region
    for rule in mapping.rules():
        raw = call_variables.get(rule.callVariable)
        if raw is None or not raw.strip():
            continue
        ids = _rule_ids(rule, raw, attributes, region)
        if ids:
            return _answer(ids, MatchedBy(rule=rule, value=raw))
    e164 = phones.to_e164(ani, region) if ani else None
    if e164:
        ids, _ = store.ids_by_term(Term("phone", e164), MAX_CANDIDATES + 1, None)
        if ids:
            return _answer(ids, MatchedBy(ani=e164))
    return LookupAnswer(match="none", contacts=[], matchedBy=None)


def _rule_ids(rule: Rule, raw: str, attributes: dict[str, Any], region: str) -> list[str]:
    attribute = attributes.get(rule.key)
    kind = validation.index_kind(attribute) if attribute else None
    if kind is None:
        return []  # the attribute stopped being searchable: the rule cannot apply
    if kind == NAME:
        try:
            ids, _ = contacts.name_ids(raw, MAX_CANDIDATES + 1)
        except Invalid:
            return []
        return ids
    try:
        wanted = values.search_value(validation.rule_of(attribute), raw, region)
    except Invalid:
        return []  # a malformed call variable must not fail the call: try the next rule
    ids, _ = store.ids_by_term(Term(kind, wanted), MAX_CANDIDATES + 1, None)
    return ids


def _answer(ids: list[str], matched_by: MatchedBy) -> LookupAnswer:
    unique_ids = list(dict.fromkeys(ids))
    found = [Contact.model_validate(d) for d in store.get_many(unique_ids[:MAX_CANDIDATES])]
    if not found:
        return LookupAnswer(match="none", contacts=[], matchedBy=None)
    return LookupAnswer(
        match="unique" if len(found) == 1 and len(unique_ids) == 1 else "multiple",
        contacts=found, matchedBy=matched_by, more=len(unique_ids) > MAX_CANDIDATES,
    )


SUMMARY_KEYS = ("match", "count", "matched_by", "contact_id", "contact_ids", "more")


def summary(answer: LookupAnswer) -> dict[str, str]:
    """The answer as flat text values, what an IVR script or a contact flow
    branches on: the match, the candidates' ids, the caller's core and
    mapped fields (empty unless the match is unique)."""
    by = answer.matchedBy
    unique = answer.contacts[0] if answer.match == "unique" else None
    out = {
        "match": answer.match,
        "count": str(len(answer.contacts)),
        "matched_by": "" if by is None else "ani" if by.ani else f"rule:{by.rule.callVariable}",
        "contact_id": unique.id if unique else "",
        "contact_ids": ",".join(c.id for c in answer.contacts) if answer.match == "multiple" else "",
        "more": "true" if answer.more else "false",
    }
    fields = [*NAME_FIELDS, "phone1", "email"]
    fields += [r.key for r in mapping.rules() if r.key not in fields]
    data = unique.model_dump() if unique else {}
    for key in fields:
        out[key] = _clean(values.as_text(data.get(key)))
    # Consents as flat yes/no values an IVR branches on: consent_recording=yes.
    for usage, consent in sorted((unique.consents if unique else {}).items()):
        out[f"consent_{usage}"] = "yes" if consent.granted else "no"
    return out


def flat(answer: LookupAnswer) -> str:
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
