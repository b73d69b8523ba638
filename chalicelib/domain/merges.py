"""What a merge makes of contacts, and what undoing it gives back. Pure:
documents in, documents out; the service reads and writes.

- Fields: each field a choice names comes from the contact chosen (a chosen
  contact without the field clears it); every other field keeps the
  survivor's value, or, where the survivor has none, the first merged
  contact's that has one (nothing a merged contact knew is dropped).
- Consents: per usage, a withdrawal beats a grant; among equals the latest.
- Identifiers (numbers, addresses, unique values) of merged contacts, and
  the survivor's own that a chosen value displaced, stay attached to it
  (``merged_identifiers``) when its fields do not hold them, so lookups by
  them find it; an undo takes off exactly those the merge attached.
- Undo: a field the merge changed gets the survivor's earlier value back,
  unless it was changed again since (a conflict: the later value stays).
"""
from __future__ import annotations

from typing import Any

from chalicelib.core.errors import Invalid
from chalicelib.domain.terms import Term

MAX_MERGED = 10
IDENTIFYING = ("phone", "email")  # with unique values (``uniq:<key>``): what finds a person
MERGE_FIELDS = ("merged_from", "merged_identifiers")


def chosen_fields(survivor: dict[str, Any], merged: list[dict[str, Any]], choices: dict[str, str],
                  editable: set[str]) -> dict[str, Any]:
    """The survivor's editable fields after the merge (``choices``: field -> id whose value wins)."""
    by_id = {d["id"]: d for d in [survivor] + merged}
    for field, winner in choices.items():
        if field not in editable:
            raise Invalid(f"fields.{field}: not a field of a contact (one of {', '.join(sorted(editable))})")
        if winner not in by_id:
            raise Invalid(f"fields.{field}: {winner!r} is not one of the contacts being merged")
    result = {k: v for k, v in survivor.items() if k in editable}
    for field in sorted({k for d in merged for k in d if k in editable}):
        if field not in result and field not in choices:
            result[field] = next(d[field] for d in merged if field in d)
    for field, winner in choices.items():
        if field in by_id[winner]:
            result[field] = by_id[winner][field]
        else:
            result.pop(field, None)
    return result


def merged_consents(survivor: dict[str, Any], merged: list[dict[str, Any]]) -> dict[str, Any]:
    """Every usage any of them recorded: a withdrawal beats a grant, then the latest."""
    found: dict[str, dict[str, Any]] = {}
    for doc in [survivor] + merged:
        for usage, consent in (doc.get("consents") or {}).items():
            held = found.get(usage)
            if held is None or _stronger(consent, held):
                found[usage] = consent
    return found


def _stronger(consent: dict[str, Any], held: dict[str, Any]) -> bool:
    if bool(consent.get("granted")) != bool(held.get("granted")):
        return not consent.get("granted")
    return str(consent.get("updated_at", "")) > str(held.get("updated_at", ""))


def attached_identifiers(survivor: tuple[dict[str, Any], list[Term]], merged: list[tuple[dict[str, Any], list[Term]]],
                         held: list[Term]) -> list[dict[str, str]]:
    """The identifiers the merge attaches to the survivor: those of the
    merged contacts (and those they had attached), and the survivor's own
    that a chosen value displaced, that ``held`` (the terms of the
    survivor's new fields) lacks."""
    seen = set(held) | {Term(i["kind"], i["value"]) for i in survivor[0].get("merged_identifiers") or []}
    attached = []
    for doc, terms in [survivor] + merged:
        for term in terms:
            if term not in seen and (term.kind in IDENTIFYING or term.kind.startswith("uniq:")):
                origin = next((i["from"] for i in doc.get("merged_identifiers") or []
                               if Term(i["kind"], i["value"]) == term), doc["id"])
                attached.append({"kind": term.kind, "value": term.value, "from": origin})
                seen.add(term)
    return attached


def family(merged: list[dict[str, Any]]) -> list[str]:
    """The ids a merge takes in: each merged contact and those merged into it before."""
    return [i for doc in merged for i in [doc["id"]] + list(doc.get("merged_from") or [])]


def undone_fields(before: dict[str, Any], after: dict[str, Any], current: dict[str, Any],
                  editable: set[str]) -> tuple[dict[str, Any], list[str]]:
    """The survivor's editable fields after an undo, and the fields left as
    they are because they changed since the merge (the conflicts)."""
    result = {k: v for k, v in current.items() if k in editable}
    conflicts = []
    for field in sorted(k for k in set(before) | set(after) if k in editable and before.get(k) != after.get(k)):
        if current.get(field) != after.get(field):
            conflicts.append(field)
        elif field in before:
            result[field] = before[field]
        else:
            result.pop(field, None)
    return result, conflicts


def undone_consents(before: dict[str, Any], after: dict[str, Any], current: dict[str, Any]
                    ) -> tuple[dict[str, Any], list[str]]:
    """The survivor's consents after an undo: each usage the merge changed back
    as it was, unless recorded again since (a conflict)."""
    given, merged, now = before.get("consents") or {}, after.get("consents") or {}, current.get("consents") or {}
    result, conflicts = dict(now), []
    for usage in sorted(set(given) | set(merged)):
        if given.get(usage) == merged.get(usage):
            continue
        if now.get(usage) != merged.get(usage):
            conflicts.append(f"consents.{usage}")
        elif usage in given:
            result[usage] = given[usage]
        else:
            result.pop(usage, None)
    return result, conflicts


def check_group(survivor_id: str, merged_ids: list[str]) -> None:
    if not merged_ids:
        raise Invalid("merged_ids: name at least one contact to merge into the survivor")
    if len(merged_ids) > MAX_MERGED:
        raise Invalid(f"merged_ids: at most {MAX_MERGED} contacts a merge")
    if len(set(merged_ids)) != len(merged_ids):
        raise Invalid("merged_ids: a contact is named twice")
    if survivor_id in merged_ids:
        raise Invalid("merged_ids: the survivor cannot be merged into itself")
