"""Many new contacts at once: ``POST /contacts/bulk`` and ``cim import``.

Each row is checked exactly as a single create (schema, normalisation,
index terms). Rows that claim no unique value are written together, 25
items a BatchWriteItem, instead of one transaction each: that is what makes
an import run near the table's raw write rate. Rows that claim a unique
value still get their own transaction, because only a conditional write can
refuse a value another contact holds. Every row gets its own result; a bad
row never blocks the others.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.core.errors import Conflict, Contended, DomainError, Invalid, PreconditionFailed, Unavailable
from chalicelib.domain import limits
from chalicelib.domain.terms import UNIQUE, Term
from chalicelib.models.common import parse
from chalicelib.models.contact import Contact, ContactFields
from chalicelib.services.calls import interactions
from chalicelib.services.contacts import contacts, duplicates
from chalicelib.services.privacy import audit, suppression
from chalicelib.store import contacts as store
from chalicelib.store import holders as holder_store
from chalicelib.store import privacy as privacy_store

CREATED, EXISTS, REJECTED, DUPLICATE = "created", "exists", "rejected", "duplicate"
WOULD_CREATE = "would create"


@dataclass
class Result:
    index: int
    outcome: str  # created, exists (an import re-run), rejected, duplicate (not created), would create (dry run)
    contact: Contact | None = None
    error: DomainError | None = None
    duplicates: list[Any] = field(default_factory=list)  # stored contacts this row may be


def create_many(items: list[Any], ids: list[str] | None = None, *, if_duplicate: str = "warn",
                dry_run: bool = False) -> list[Result]:
    """Create ``items`` (JSON objects). ``ids`` (imports) fixes each row's
    contact id, so a re-run finds what an interrupted run stored (``exists``)
    and writes only the rest. Each row is looked up by its numbers and
    addresses (the holder markers of every row in one read, see
    ``duplicates.among_many``): one that may be a stored contact, or (a
    request's rows, not an import's, whose file check does it) an earlier
    row of the same request, is created with its candidates (``warn``, or an
    import's ``create``), rejected as ``PossibleDuplicate`` (``refuse``) or
    skipped (an import's ``skip``: outcome ``duplicate``). ``dry_run``:
    nothing is written; rows that would be created say so."""
    results: dict[int, Result] = {}
    ready: list[tuple[int, dict[str, Any], list[Term]]] = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise Invalid(f"item {index}: must be a JSON object")
            limits.check_json(item, "contact")
            doc, terms = contacts.new_contact(parse(ContactFields, item), ids[index] if ids else None)
        except DomainError as error:
            results[index] = Result(index, REJECTED, error=error)
        else:
            ready.append((index, doc, terms))

    stored = store.existing([doc["id"] for _, doc, _ in ready]) if ids else set()
    for index, doc, _ in ready:
        if doc["id"] in stored:
            results[index] = Result(index, EXISTS)
    ready = [row for row in ready if row[1]["id"] not in stored]
    ready, screening = _screen(ready, results)
    flagged = dict(zip((index for index, _, _ in ready),
                       duplicates.among_many([(doc, terms) for _, doc, terms in ready], screening.held,
                                             within=ids is None)))
    together, alone = [], []
    for index, doc, terms in ready:
        found = flagged[index]
        if found and if_duplicate in ("skip", "refuse"):
            refused = duplicates.refusal(found) if if_duplicate == "refuse" else None
            results[index] = Result(index, REJECTED if refused else DUPLICATE, error=refused, duplicates=found)
        elif dry_run:
            results[index] = Result(index, WOULD_CREATE, duplicates=found)
        elif any(t.kind.startswith(UNIQUE) for t in terms):
            alone.append((index, doc, terms))
        else:
            together.append((index, doc, terms))

    _write_together(together, results, screening)
    for index, doc, terms in alone:
        _write_alone(index, doc, terms, results, replay=bool(ids), screening=screening)
    for index, found in flagged.items():  # created anyway: they still say whom they may be
        results[index].duplicates = results[index].duplicates or found
    return [results[i] for i in range(len(items))]


def _write_alone(index: int, doc: dict[str, Any], terms: list[Term], results: dict[int, Result], *,
                 replay: bool, screening: privacy_store.Screening | None = None) -> None:
    try:
        results[index] = Result(index, CREATED, contacts.write_new(doc, terms, screening))
    except Conflict as error:
        outcome = EXISTS if replay and "already exists" in error.message else REJECTED
        results[index] = Result(index, outcome, error=None if outcome == EXISTS else error)
    except DomainError as error:
        results[index] = Result(index, REJECTED, error=error)


def _write_together(rows: list[tuple[int, dict[str, Any], list[Term]]], results: dict[int, Result],
                    screening: privacy_store.Screening) -> None:
    if not rows:
        return
    audits = [audit.entry("created", doc["id"], None, doc, version=1) for _, doc, _ in rows]
    try:
        written = set(store.put_many([(doc, terms) for _, doc, terms in rows], audits, held=screening.held))
    except Unavailable as error:
        written = set(error.details.get("written", []))
    except Invalid:  # the table refused an item of the batch: write them one by one, so only that one fails
        for index, doc, terms in rows:
            _write_alone(index, doc, terms, results, replay=False, screening=screening)
        return
    written -= _withdrawn_if_suppressed(rows, written, results)
    for index, doc, _ in rows:
        if index in results:
            continue
        if doc["id"] in written:
            results[index] = Result(index, CREATED, contacts.to_model(doc, 1))
        else:
            unstored = Unavailable("not stored: the table stopped taking writes; send this contact again")
            results[index] = Result(index, REJECTED, error=unstored)
    # Calls that came from these numbers before the contacts existed.
    interactions.follow_contacts([(doc["id"], terms, []) for _, doc, terms in rows if doc["id"] in written],
                                 screening.seen)


def _withdrawn_if_suppressed(rows: list[tuple[int, dict[str, Any], list[Term]]], written: set[str],
                             results: dict[int, Result]) -> set[str]:
    """A batch write cannot carry a guard: look again after it (one
    BatchGetItem). An erasure suppresses before it sweeps, so a row written
    after its sweep sees the suppression here and is taken back; a row written
    before is swept by the erasure. Either way the number does not stay."""
    hashed = suppression.digests((t.kind, t.value) for _, doc, terms in rows if doc["id"] in written
                                 for t in terms)
    hit = privacy_store.suppressed(hashed.values())
    withdrawn: set[str] = set()
    for index, doc, terms in rows:
        bad = next(((t.kind, t.value) for t in terms if hashed.get((t.kind, t.value)) in hit), None)
        if bad and doc["id"] in written:
            _take_back(doc["id"])
            withdrawn.add(doc["id"])
            results[index] = Result(index, REJECTED, error=suppression.refused(
                contacts.field_holding(doc, bad[1], bad[0]), bad[0]))
    # The batch also rewrote those identifiers' holder markers, as read before the
    # erasure may have deleted them: an erased identifier keeps none.
    for kind, value in {pair for pair, digest in hashed.items() if digest in hit}:
        holder_store.forget(kind, value)
    return withdrawn


def _take_back(contact_id: str) -> None:
    """Delete a contact just written (whatever its version by now)."""
    for _ in range(5):
        stored = store.get(contact_id)
        if stored is None:
            return
        try:
            store.delete(stored, audit.entry("erased", contact_id, None, None))
            return
        except (PreconditionFailed, Contended):
            continue


def _screen(rows: list[tuple[int, dict[str, Any], list[Term]]], results: dict[int, Result]
            ) -> tuple[list[tuple[int, dict[str, Any], list[Term]]], privacy_store.Screening]:
    """One BatchGetItem (per 100 keys) for every row: a suppressed number or
    address refuses its row; the numbers that have called are noted, and who
    holds each number and address (for the duplicate check and the markers
    the rows join)."""
    numbered = [(t.kind, t.value) for _, _, terms in rows for t in terms if t.kind in suppression.KINDS]
    hashed = suppression.digests(numbered)
    screening = privacy_store.screen(numbered, hashed.values())
    kept = []
    for index, doc, terms in rows:
        bad = next(((t.kind, t.value) for t in terms if hashed.get((t.kind, t.value)) in screening.suppressed), None)
        if bad:
            results[index] = Result(index, REJECTED, error=suppression.refused(
                contacts.field_holding(doc, bad[1], bad[0]), bad[0]))
        else:
            kept.append((index, doc, terms))
    return kept, screening
