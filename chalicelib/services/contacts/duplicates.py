"""Possible duplicates: the contacts that share a phone number or e-mail
address with a contact (through the exact indexes: one Query an identifier,
then one BatchGetItem for their names), scored by ``domain/duplicates``."""
from __future__ import annotations

from typing import Any

from chalicelib.core import actor
from chalicelib.core.clock import now_iso
from chalicelib.core.errors import Invalid, NotFound, PossibleDuplicate
from chalicelib.core.ids import check_id
from chalicelib.domain.duplicates import Candidate, judge
from chalicelib.domain.terms import Term
from chalicelib.models.common import Page
from chalicelib.models.contact import Dismissal, DismissalRequest, DuplicatePair, PossibleDuplicates
from chalicelib.models.contact import PossibleDuplicate as Shown
from chalicelib.store import contacts as store
from chalicelib.store import duplicates as pair_store

IDENTIFIER_KINDS = ("phone", "email")
HOLDERS_LOOKED_AT = 10  # per identifier: a switchboard number shared by hundreds is not a duplicate signal
SHOWN = 10


def among(doc: dict[str, Any], terms: list[Term], exclude: str | None = None) -> list[Shown]:
    """Contacts other than ``exclude`` that may be the person ``doc`` describes, most likely first."""
    shared: dict[str, set[str]] = {}
    for term in dict.fromkeys(t for t in terms if t.kind in IDENTIFIER_KINDS):
        holders, _ = store.ids_by_term(term, HOLDERS_LOOKED_AT, None)
        for holder in holders:
            if holder != exclude and holder != doc.get("id"):
                shared.setdefault(holder, set()).add(term.kind)
    if not shared:
        return []
    # A stored contact's candidates leave out the pairs someone dismissed (read in the same BatchGetItem).
    if exclude:
        others, _ = pair_store.contacts_not_dismissed(exclude, list(shared))
    else:
        others = store.get_many(list(shared))
    judged: list[tuple[Candidate, dict[str, Any]]] = [(judge(doc, other, shared[other["id"]]), other)
                                                       for other in others]
    judged.sort(key=lambda pair: (-pair[0].score, pair[0].id))
    return [Shown(id=c.id, reasons=list(c.reasons), score=c.score, first_name=other.get("first_name"),
                              last_name=other.get("last_name")) for c, other in judged[:SHOWN]]


def refuse_if_any(found: list[Shown]) -> None:
    if found:
        raise PossibleDuplicate(
            f"{len(found)} contact(s) may be this person (sharing {', '.join(sorted({r for d in found for r in d.reasons}))}); "
            "open one, or save again without if_duplicate=refuse",
            possible_duplicates=[d.model_dump() for d in found])


def of_contact(contact_id: str) -> PossibleDuplicates:
    """``GET /contacts/{id}/duplicates``."""
    stored = store.get(check_id(contact_id, "contact_id"))
    if stored is None:
        raise NotFound(f"contact {contact_id} not found")
    return PossibleDuplicates(items=among(stored.doc, stored.terms, exclude=contact_id))


def listing(limit: int, cursor: str | None) -> Page[DuplicatePair]:
    """``GET /duplicates``: pairs a scan found, most likely first, as the two
    contacts are now (one Query and one BatchGetItem a page; a pair whose
    contact was deleted, merged or dismissed since is left out)."""
    pairs, next_cursor = pair_store.page(limit, cursor)
    ids = [i for p in pairs for i in p["ids"]]
    docs, gone = pair_store.contacts_and_dismissed(ids, [tuple(p["ids"]) for p in pairs])
    by_id = {d["id"]: d for d in docs}
    shown = [DuplicatePair.model_validate(p | {"contacts": [by_id[i] for i in p["ids"]]}) for p in pairs
             if all(i in by_id for i in p["ids"]) and tuple(p["ids"]) not in gone]
    return Page[DuplicatePair](items=shown, cursor=next_cursor)


def dismiss(asked: DismissalRequest) -> Dismissal:
    """These two are not one person: never suggest the pair again."""
    first, second = (check_id(i, "ids") for i in asked.ids)
    if first == second:
        raise Invalid("ids: name two different contacts")
    missing = [i for i in (first, second) if i not in store.existing([first, second])]
    if missing:
        raise NotFound(f"ids: contact {missing[0]} not found")
    return Dismissal.model_validate(pair_store.dismiss(first, second, actor.current().who, now_iso()))
