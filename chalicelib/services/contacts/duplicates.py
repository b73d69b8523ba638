"""Possible duplicates: the contacts that share a phone number or e-mail
address with a contact (through the holder markers, ``store/holders.py``:
one BatchGetItem, or none when a write's screening read them, then one
BatchGetItem for those contacts), scored by ``domain/duplicates``."""
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
from chalicelib.store import holders as holder_store

HOLDERS_LOOKED_AT = 10  # per identifier: a switchboard number shared by hundreds is not a duplicate signal
SHOWN = 10


def among(doc: dict[str, Any], terms: list[Term], exclude: str | None = None,
          held: dict[str, set[str]] | None = None) -> list[Shown]:
    """Contacts other than ``exclude`` that may be the person ``doc`` describes,
    most likely first: the holders of its numbers and addresses (``held``:
    their markers as a contact write's screening read them; else one
    BatchGetItem), then one BatchGetItem for those contacts."""
    return _shown(judged_among(doc, terms, exclude, held))


def judged_among(doc: dict[str, Any], terms: list[Term], exclude: str | None = None,
                 held: dict[str, set[str]] | None = None) -> list[tuple[Candidate, dict[str, Any]]]:
    """``among``, each candidate with its stored document."""
    hashed = holder_store.digests(terms)
    if not hashed:
        return []
    if held is None:
        held = holder_store.read(hashed.values())
    itself = {exclude, doc.get("id"), *(doc.get("merged_from") or [])}  # its merged contacts left ids behind
    wanted: dict[str, set[Term]] = {}
    for term, digest in hashed.items():
        for holder in sorted(held.get(digest, set()) - itself)[:HOLDERS_LOOKED_AT]:
            wanted.setdefault(holder, set()).add(term)
    if not wanted:
        return []
    # A stored contact's candidates leave out the pairs someone dismissed.
    found = pair_store.holders_not_dismissed(exclude, wanted)
    return _judged(doc, [(other, {t.kind for t in shares}) for other, shares in found])


def among_many(rows: list[tuple[dict[str, Any], list[Term]]], held: dict[str, set[str]], *,
               within: bool) -> list[list[Shown]]:
    """``among`` for many new contacts at once (a bulk request, an import
    batch), from their holder markers as read (``held``): one BatchGetItem
    (per 100) for every row's candidates together, however many rows share
    them. ``within``: a row is also checked against the rows before it."""
    hashed = [holder_store.digests(terms) for _, terms in rows]
    wanted: dict[str, set[Term]] = {}
    for (doc, _), digests in zip(rows, hashed):
        for term, digest in digests.items():
            for holder in sorted(held.get(digest, set()) - {doc["id"]})[:HOLDERS_LOOKED_AT]:
                wanted.setdefault(holder, set()).add(term)
    stored = {doc["id"]: (doc, shares) for doc, shares in pair_store.holders_not_dismissed(None, wanted)}
    earlier: dict[str, list[dict[str, Any]]] = {}  # hash -> the rows before that hold it
    found: list[list[Shown]] = []
    for (doc, _), digests in zip(rows, hashed):
        shared: dict[str, tuple[dict[str, Any], set[str]]] = {}
        for term, digest in digests.items():
            for holder in held.get(digest, set()) & stored.keys():
                other, shares = stored[holder]
                if term in shares:
                    shared.setdefault(holder, (other, set()))[1].add(term.kind)
            for other in earlier.get(digest, []) if within else []:
                shared.setdefault(other["id"], (other, set()))[1].add(term.kind)
        found.append(_shown(_judged(doc, list(shared.values()))))
        for digest in dict.fromkeys(digests.values()):
            earlier.setdefault(digest, []).append(doc)
    return found


def _judged(doc: dict[str, Any], others: list[tuple[dict[str, Any], set[str]]]
            ) -> list[tuple[Candidate, dict[str, Any]]]:
    """Each other contact judged against ``doc`` (given the kinds they share), most likely first."""
    judged = [(judge(doc, other, kinds), other) for other, kinds in others]
    return sorted(judged, key=lambda pair: (-pair[0].score, pair[0].id))


def _shown(judged: list[tuple[Candidate, dict[str, Any]]]) -> list[Shown]:
    return [Shown(id=c.id, reasons=list(c.reasons), score=c.score, first_name=other.get("first_name"),
                  last_name=other.get("last_name")) for c, other in judged[:SHOWN]]


def refusal(found: list[Shown]) -> PossibleDuplicate:
    return PossibleDuplicate(
        f"{len(found)} contact(s) may be this person (sharing {', '.join(sorted({r for d in found for r in d.reasons}))}); "
        "open one, or save again without if_duplicate=refuse",
        possible_duplicates=[d.model_dump() for d in found])


def refuse_if_any(found: list[Shown]) -> None:
    if found:
        raise refusal(found)


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
    ids = [i for p in pairs for i in p.ids]
    docs, gone = pair_store.contacts_and_dismissed(ids, [p.ids for p in pairs])
    by_id = {d["id"]: d for d in docs}
    shown = [DuplicatePair.model_validate({"ids": list(p.ids), "reasons": p.reasons, "score": p.score,
                                           "found_at": p.found_at, "contacts": [by_id[i] for i in p.ids]})
             for p in pairs if all(i in by_id for i in p.ids) and p.ids not in gone]
    return Page[DuplicatePair](items=shown, cursor=next_cursor)


def dismiss(asked: DismissalRequest) -> Dismissal:
    """These two are not one person: never suggest the pair again."""
    first, second = (check_id(i, "ids") for i in asked.ids)
    if first == second:
        raise Invalid("ids: name two different contacts")
    missing = [i for i in (first, second) if i not in store.existing([first, second])]
    if missing:
        raise NotFound(f"ids: contact {missing[0]} not found")
    return pair_store.dismiss(first, second, actor.current().who, now_iso())
