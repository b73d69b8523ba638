"""Contact rules: normalise, index, version, search."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import Conflict, Contended, Invalid, NotFound, PreconditionFailed
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.retry import until_it_wins
from chalicelib.core.settings import get_settings
from chalicelib.domain import callers, limits, names, phones, validation, values
from chalicelib.domain.terms import BEGINNING_TYPES, ENDING_DIGITS, MIN_BEGINNING, NAME, PHONE_END, Term
from chalicelib.domain.values import parse_datetime
from chalicelib.models.contact import (
    CONSENT_USAGE,
    KEPT_ACROSS_EDITS,
    NAME_FIELDS,
    SERVER_FIELDS,
    ConsentFields,
    Contact,
    ContactFields,
    CreatedContact,
)
from chalicelib.services.access import idempotency
from chalicelib.services.calls import interactions
from chalicelib.services.contacts import duplicates
from chalicelib.services.privacy import audit, suppression
from chalicelib.services.schema import schema
from chalicelib.store import contacts as store
from chalicelib.store import privacy as privacy_store
from chalicelib.store.privacy import Suppressed

NAME_TERMS = ("name", "first_name", "last_name")
IF_DUPLICATE = ("warn", "refuse")


def normalize_phone(raw: str, field: str) -> str:
    e164 = phones.to_e164(raw, get_settings().default_region)
    if e164 is None:
        raise Invalid(f"{field}: {phones.not_valid(raw, get_settings().default_region)}")
    return e164


def _prepare(fields: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], dict[str, str], list[Term]]:
    """Check ``fields`` against the schema; normalise; derive the index terms."""
    settings = get_settings()
    prepared = validation.prepare(fields, schema.by_key(), region=settings.default_region,
                                  max_bytes=settings.max_contact_bytes, creating=creating)
    return prepared.fields, prepared.normalized, prepared.terms


def prepare_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str], list[Term]]:
    """``fields`` of a stored contact checked against the schema: the fields,
    their normalised values and the index terms."""
    return _prepare(fields, creating=False)


def to_model(doc: dict[str, Any], version: int) -> Contact:
    return Contact.model_validate(doc | {"version": version})


def new_contact(given: ContactFields, contact_id: str | None = None) -> tuple[dict[str, Any], list[Term]]:
    """The document and index terms of a contact about to be created
    (checked against the schema; nothing is written)."""
    fields, normalized, terms = _prepare(given.given(), creating=True)
    stamp = now_iso()
    doc = fields | {"id": contact_id or new_id(), "normalized": normalized, "created_at": stamp, "updated_at": stamp}
    return doc, terms


def create(given: ContactFields, contact_id: str | None = None, *, if_duplicate: str = "warn") -> CreatedContact:
    """Create a contact, with the contacts it may duplicate (``if_duplicate``:
    ``warn`` answers them beside it, ``refuse`` makes them a 409 and writes
    nothing). ``contact_id`` (imports) makes a replay a Conflict instead of a
    duplicate. Under an ``Idempotency-Key`` the id comes from the key: a
    retry whose first attempt stored the contact answers that contact."""
    if if_duplicate not in IF_DUPLICATE:
        raise Invalid(f"if_duplicate: one of {', '.join(IF_DUPLICATE)}")
    keyed = idempotency.derived_id() if contact_id is None else None
    doc, terms = new_contact(given, contact_id or keyed)
    screening = screen(doc, gained=terms, lost=[])
    found = duplicates.among(doc, terms, held=screening.held)  # never itself: a retry's first attempt may have stored it
    if if_duplicate == "refuse":
        duplicates.refuse_if_any(found)
    try:
        made = write_new(doc, terms, screening)
    except Conflict as clash:
        stored = store.get(keyed) if keyed and "already exists" in clash.message else None
        if stored is None:
            raise
        interactions.follow_contact(keyed, gained=stored.terms, lost=[])  # in case the first attempt stopped there
        return CreatedContact.model_validate(stored.doc | {"version": stored.version, "possible_duplicates": found})
    return CreatedContact.model_validate(made.model_dump() | {"possible_duplicates": found})


def write_new(doc: dict[str, Any], terms: list[Term], screening: privacy_store.Screening | None = None) -> Contact:
    """Store a prepared contact in one transaction (its unique claims and its
    audit entry included); ``screening``: what ``screen`` read for it, if done."""
    screening = screening or screen(doc, gained=terms, lost=[])
    with refusing_suppressed(doc, terms):
        store.create(doc, terms, audit.entry("created", doc["id"], None, doc, version=1), guards(terms),
                     held=screening.held)
    interactions.follow_contact(doc["id"], gained=terms, lost=[], seen=screening.seen)
    return to_model(doc, 1)


def screen(doc: dict[str, Any], gained: list[Term], lost: list[Term]) -> privacy_store.Screening:
    """Before a contact write, in one BatchGetItem: refuse a number or address
    that is suppressed (its owner was erased); learn which numbers have called
    (their calls join the contact after the write) and who else holds the
    ones it gains (its possible duplicates)."""
    numbered = [(t.kind, t.value) for t in gained + lost if t.kind in suppression.KINDS]
    if not numbered:
        return privacy_store.Screening(set(), set(), {})
    hashed = suppression.digests((t.kind, t.value) for t in gained if t.kind in suppression.KINDS)
    screening = privacy_store.screen(numbered, hashed.values())
    for (kind, val), digest in hashed.items():
        if digest in screening.suppressed:
            raise suppression.refused(field_holding(doc, val, kind), kind)
    return screening


def guards(gained: list[Term]) -> list[str]:
    """The keyed hashes a write's transaction checks are still unsuppressed:
    the numbers and addresses it gains (an erasure may suppress one between
    ``screen`` and the write)."""
    return list(suppression.digests((t.kind, t.value) for t in gained).values())


@contextmanager
def refusing_suppressed(doc: dict[str, Any], gained: list[Term]) -> Iterator[None]:
    """A guard that failed becomes the same 400 ``screen`` gives, naming the field."""
    try:
        yield
    except Suppressed as hit:
        for (kind, val), digest in suppression.digests((t.kind, t.value) for t in gained).items():
            if digest == hit.digest:
                raise suppression.refused(field_holding(doc, val, kind), kind) from None
        raise


def field_holding(doc: dict[str, Any], normalized: str, fallback: str) -> str:
    """The field of ``doc`` whose normalised value is ``normalized``."""
    return next((k for k, v in (doc.get("normalized") or {}).items() if v == normalized), fallback)


def load(contact_id: str) -> store.StoredContact:
    """The contact; NotFound, or Merged naming the contact it was merged into."""
    return store.load(check_id(contact_id, "contact_id"))


def merged_from(contact: Contact) -> list[str]:
    """The contacts merged into this one (their calls, notes, files and follow-ups are its own)."""
    return list((contact.model_extra or {}).get("merged_from") or [])


def get(contact_id: str) -> Contact:
    found = load(contact_id)
    return to_model(found.doc, found.version)


def by_unique(key: str, raw: str) -> Contact | None:
    """The contact holding ``raw`` as its value of the unique attribute ``key`` (1 GetItem + 1 GetItem)."""
    attribute = schema.by_key().get(key)
    if attribute is None or not attribute.unique:
        raise Invalid(f"{key}: not a unique attribute of the schema")
    value = values.check(validation.rule_of(attribute), raw, get_settings().default_region).index[0]
    holder = store.unique_holder(key, value)
    return get(holder) if holder else None


def by_identifier(kind: str, raw: str) -> list[str]:
    """Ids of the contacts holding the phone number or e-mail address ``raw``
    (``kind``: phone or email; at most two: one, or "several")."""
    value = normalize_phone(raw, kind) if kind == "phone" else callers.normalized_address(raw)
    holders, _ = store.ids_by_term(Term(kind, value), 2, None)
    return holders


def update(contact_id: str, given: ContactFields, expected_version: int | None) -> Contact:
    """Merge ``given`` into the contact (a null clears a field); a lost race
    is read again and retried until it wins (or, past
    ``CIM_CONTENTION_SECONDS``, a 503), so no edit is lost.

    With ``expected_version`` (the version the client read) the merge is
    three-way: if others saved since, the fields they changed (the audit
    trail says which) keep their values unless ``given`` sets one of them to
    something else, a conflict refused with 412 naming those fields and
    nothing written. A client that sends only the fields it changed never
    undoes another's work; one that sends every field it read gets 412 when
    any of them was changed meanwhile.
    """
    def attempt() -> Contact:
        current = load(contact_id)
        kept = {k: v for k, v in current.doc.items() if k not in SERVER_FIELDS}
        mine = given.given()
        fields, normalized, terms = _prepare(kept | mine, creating=False)
        if expected_version is not None and expected_version != current.version:
            _refuse_conflicts(contact_id, current, expected_version,
                              {k: normalized.get(k, fields.get(k)) for k in mine})
        doc = fields | {
            "id": contact_id, "normalized": normalized,
            "created_at": current.doc["created_at"], "updated_at": now_iso(),
        } | kept_across_edits(current.doc)
        try:
            return _rewrite(current, doc, terms, "updated")
        except PreconditionFailed as lost:  # written by someone between our read and our write
            raise Contended(lost.message) from None

    return until_it_wins(attempt, (Contended,), f"contact {contact_id}")


def _refuse_conflicts(contact_id: str, current: store.StoredContact, read_at: int, mine: dict[str, Any]) -> None:
    """412 when the client read ``read_at`` and a field it sets (``mine``,
    normalised where the field is) was changed since to a different value, or
    when the trail cannot tell which were."""
    if read_at > current.version:
        raise PreconditionFailed(f"version: contact {contact_id} is at version {current.version}, not {read_at}",
                                 current_version=current.version)
    changed = audit.changed_since(contact_id, read_at)
    if changed is None:
        raise PreconditionFailed(
            f"version: contact {contact_id} is at version {current.version}, not {read_at}; read it again and retry",
            current_version=current.version)
    held = current.doc.get("normalized") or {}
    conflicts = sorted(k for k, v in mine.items() if k in changed and v != held.get(k, current.doc.get(k)))
    if conflicts:
        raise PreconditionFailed(
            f"{', '.join(conflicts)}: changed by someone else since version {read_at} (now {current.version}); "
            "read the contact again and choose", current_version=current.version, conflicts=conflicts)


def kept_across_edits(doc: dict[str, Any]) -> dict[str, Any]:
    """What the server keeps on a contact whatever a client sends: consents, merges."""
    return {k: doc[k] for k in KEPT_ACROSS_EDITS if doc.get(k)}


def _rewrite(current: store.StoredContact, doc: dict[str, Any], terms: list[Term], action: str) -> Contact:
    """Write the new version (with its audit entry) and move calls with the numbers."""
    contact_id = doc["id"]
    terms = store.terms_for(doc, terms)
    gained = [t for t in terms if t not in current.terms]
    lost = [t for t in current.terms if t not in terms]
    screening = screen(doc, gained, lost)
    with refusing_suppressed(doc, gained):
        store.replace(current, doc, terms, audit.entry(action, contact_id, current.doc, doc,
                                                      version=current.version + 1),
                      guards(gained), held=screening.held)
    interactions.follow_contact(contact_id, gained=gained, lost=lost, seen=screening.seen)
    return to_model(doc, current.version + 1)


def set_consent(contact_id: str, usage: str, given: ConsentFields | None) -> Contact:
    """Record (or with None, withdraw the record of) a consent; retried until it wins."""
    if not CONSENT_USAGE.match(usage or ""):
        raise Invalid(f"usage: {usage!r} must be lower-case letters, digits and _, starting with a letter "
                      "(recording, marketing, ...)")

    def attempt() -> Contact:
        current = load(contact_id)
        consents = dict(current.doc.get("consents") or {})
        if given is None:
            if usage not in consents:
                raise NotFound(f"consent {usage} not found")
            consents.pop(usage)
        else:
            consents[usage] = given.model_dump() | {"usage": usage, "updated_at": now_iso()}
        doc = {k: v for k, v in current.doc.items() if k != "consents"} | {"updated_at": now_iso()}
        doc |= {"consents": consents} if consents else {}
        return _rewrite(current, doc, current.terms, "consent")

    return until_it_wins(attempt, (PreconditionFailed, Contended), f"contact {contact_id}")


def delete(contact_id: str, expected_version: int | None) -> Contact:
    current = load(contact_id)
    if expected_version is not None and expected_version != current.version:
        raise PreconditionFailed(
            f"version: contact {contact_id} is at version {current.version}, not {expected_version}",
            current_version=current.version,
        )
    store.delete(current, audit.entry("deleted", contact_id, current.doc, None))
    # The calls stay; they just stop showing in the history of a contact that is gone.
    interactions.follow_contact(contact_id, gained=[], lost=current.terms)
    return to_model(current.doc, current.version)


# The index format that lists contacts under shards; until every contact is written in it, the list
# reads the old key too (one more Query a page).
SHARDED_LIST_FORMAT = 5


def list_page(limit: int, cursor: str | None) -> tuple[list[Contact], str | None]:
    docs, next_cursor = store.list_page(limit, cursor, unsharded=not schema.index_format_reached(SHARDED_LIST_FORMAT))
    return [Contact.model_validate(d) for d in docs], next_cursor


def load_more(last_id: str, limit: int) -> tuple[list[Contact], str | None]:
    anchor = store.get(check_id(last_id, "last_id"))
    if anchor is None:
        raise NotFound(f"contact {last_id} not found")
    docs, next_cursor = store.list_after(anchor, limit,
                                         unsharded=not schema.index_format_reached(SHARDED_LIST_FORMAT))
    return [Contact.model_validate(d) for d in docs], next_cursor


def by_name(query: str, limit: int, cursor: str | None) -> tuple[list[Contact], str | None]:
    """Each query word must start a different word of the contact's name.
    The contacts ride on the name entries: one Query a page (a contact too
    large to ride is read after, in one BatchGetItem)."""
    hits, next_cursor = name_search(query, limit, cursor)
    carried = {h.contact_id: h.contact for h in hits if h.contact is not None}
    read = {d["id"]: d for d in store.get_many([h.contact_id for h in hits if h.contact is None])}
    found = [carried.get(h.contact_id) or read.get(h.contact_id) for h in hits]
    return [Contact.model_validate(doc) for doc in found if doc is not None], next_cursor


def by_name_filled(query: str, limit: int, cursor: str | None) -> tuple[list[Contact], str | None]:
    """``by_name``, its page filled (a contact counted once under two of its words can leave a gap)."""
    return filled(lambda size, at: by_name(query, size, at), limit, cursor)


def name_ids(query: str, limit: int, cursor: str | None = None) -> tuple[list[str], str | None]:
    """Ids of the contacts whose name the query words start (one Query)."""
    hits, next_cursor = name_search(query, limit, cursor)
    return [h.contact_id for h in hits], next_cursor


# A search of several words reads in phases, exact matches first; its cursor
# says which: three words whole, a word whole and another, two beginnings
# and long names; or (a short word, a table being reindexed) the filtered
# read of longer words and the long names holding the finished word whole.
TRIPLE_PHASE, EXACT_PHASE, BEGINNING_PHASE, LONG_PHASE = "t.", "x.", "b.", "l."
PREFIX_PHASE, LONG_EXACT_PHASE = "p.", "e."
BEGINNINGS_FORMAT = 5  # the index format that writes beginning, triple and long-name entries


def name_search(query: str, limit: int, cursor: str | None) -> tuple[list[store.NameHit], str | None]:
    """One read of a name search: the entries found, each contact once.

    One word: its name entries. Several: the phases of ``names.PairPlan``,
    each a Query of a range that holds only matches (or a few more: a word
    longer than its keyed letters filters), however common the names; the
    filtered read that reads past other names (up to ``SCAN_MAX`` entries)
    serves only a word too short to key its entries."""
    if len(query) > limits.MAX_NAME_QUERY_CHARS:
        raise Invalid(f"name: at most {limits.MAX_NAME_QUERY_CHARS} characters")
    wanted = names.words(query)
    if not wanted:
        raise Invalid("name: give at least one letter or digit to search for")
    if len(wanted) > limits.MAX_NAME_WORDS:
        raise Invalid(f"name: at most {limits.MAX_NAME_WORDS} words (a name search matches word beginnings)")
    limit = min(limit, limits.MAX_NAME_PAGE)
    if len(wanted) == 1:
        hits, after = store.name_hits(wanted[0], limit, cursor)
        return [h for h in hits if h.word == names.first_pivot_word(wanted[0], h.words)], after
    plan = names.pair_plan(wanted)
    phase = _phase_of(plan, cursor)
    hits, after = _NAME_PHASES[phase](plan, wanted, limit, (cursor or "")[len(phase):] or None)
    if after:
        return hits, phase + after
    return hits, _phase_after(plan, phase)


def _phase_of(plan: names.PairPlan, cursor: str | None) -> str:
    if cursor is None:
        return TRIPLE_PHASE if plan.triple else EXACT_PHASE
    possible = [EXACT_PHASE, PREFIX_PHASE] + ([TRIPLE_PHASE] if plan.triple else []) + \
        ([BEGINNING_PHASE, LONG_PHASE] if plan.keyed else []) + ([LONG_EXACT_PHASE] if plan.longer_words_only else [])
    phase = next((p for p in possible if cursor.startswith(p)), None)
    if phase is None:
        raise Invalid("cursor: not a cursor of this search; start again without one")
    return phase


def _phase_after(plan: names.PairPlan, phase: str) -> str | None:
    """The phase that follows ``phase``; whether the beginning entries serve
    is asked only here (one cached read), once the exact matches are done."""
    if phase == TRIPLE_PHASE:
        return EXACT_PHASE
    if phase == EXACT_PHASE:
        keyed = plan.keyed and schema.index_format_reached(BEGINNINGS_FORMAT)
        return BEGINNING_PHASE if keyed else PREFIX_PHASE
    if phase == BEGINNING_PHASE:
        return LONG_PHASE
    if phase == PREFIX_PHASE and plan.longer_words_only:
        return LONG_EXACT_PHASE
    return None


def _triples(plan: names.PairPlan, wanted: list[str], limit: int, at: str | None):
    first, second = plan.triple
    hits, after = store.name_triple_hits(first, second, plan.third, limit, at,
                                         _without(wanted, first, second, plan.third))
    return [h for h in hits if h.word == names.first_triple(plan, h.words) and names.matches(wanted, h.words)], after


def _pairs(plan: names.PairPlan, wanted: list[str], limit: int, at: str | None):
    hits, after = store.name_pair_hits(plan.word, plan.other, limit, at, plan.rest)
    return [h for h in hits if h.word == names.first_pair(plan, h.words) and names.matches(wanted, h.words)
            # Found by the triples already (a contact stored before them: not there).
            and not (h.tripled and names.first_triple(plan, h.words) is not None)], after


def _beginnings(plan: names.PairPlan, wanted: list[str], limit: int, at: str | None):
    hits, after = store.name_beginning_hits(plan.word, plan.other, limit, at, plan.rest)
    return [h for h in hits if tuple(h.word.split("#")) == names.first_beginning(plan, h.words)
            and names.matches(wanted, h.words)], after


def _long_names(plan: names.PairPlan, wanted: list[str], limit: int, at: str | None):
    hits, after = store.long_name_hits(plan.pivot, limit, at, _without(wanted, plan.pivot))
    return [h for h in hits if h.word == names.first_pivot_word(plan.pivot, h.words)
            and names.matches(wanted, h.words) and names.beyond_pairs(plan, h.words)], after


def _long_exact(plan: names.PairPlan, wanted: list[str], limit: int, at: str | None):
    """Long names holding the finished word whole where the filtered read
    (longer words only) does not look, and the pairs do not reach."""
    hits, after = store.long_name_hits(plan.word, limit, at, _without(wanted, plan.word))
    return [h for h in hits if h.word == plan.word and names.matches(wanted, h.words)
            and names.is_long(h.words) and names.first_pair(plan, h.words) is None], after


def _filtered(plan: names.PairPlan, wanted: list[str], limit: int, at: str | None):
    hits, after = store.name_hits(plan.pivot, limit, at, _without(wanted, plan.pivot),
                                  longer_only=plan.longer_words_only)
    return [h for h in hits if h.word == names.first_pivot_word(plan.pivot, h.words)
            and names.matches(wanted, h.words)
            # Found by the exact phase already (a contact stored before pairs were: not there).
            and not (h.paired and names.first_pair(plan, h.words) is not None)], after


def _without(wanted: list[str], *taken: str) -> list[str]:
    left = list(wanted)
    for word in taken:
        left.remove(word)
    return left


_NAME_PHASES = {TRIPLE_PHASE: _triples, EXACT_PHASE: _pairs, BEGINNING_PHASE: _beginnings, LONG_PHASE: _long_names,
                PREFIX_PHASE: _filtered, LONG_EXACT_PHASE: _long_exact}


@dataclass(frozen=True)
class Ending:
    """A phone search by a number's last digits ("1010", "555-1010")."""
    digits: str


@dataclass(frozen=True)
class Beginning:
    """A text attribute search by the beginning of its value (``AC-10*``)."""
    text: str


def search(terms: dict[str, Any], limit: int, cursor: str | None) -> tuple[list[Contact], str | None]:
    """Contacts matching every term. One term is served from an index; the
    others filter what it found. A phone that is only a number's last digits
    matches by ending; a text attribute's value ending in ``*``, by beginning."""
    if not terms:
        raise Invalid("search: give at least one property to search by")
    attributes = schema.by_key()
    region = get_settings().default_region
    wanted = {k: _search_value(k, v, attributes, region) for k, v in terms.items()}
    pivot = min((k for k in wanted if _rank(k, attributes, wanted[k]) is not None),
                key=lambda k: _rank(k, attributes, wanted[k]), default=None)
    if pivot is None:
        searchable = [a.key for a in attributes.values() if _rank(a.key, attributes) is not None]
        raise Invalid(f"search: include at least one searchable property ({', '.join(['phone', 'name'] + searchable)});"
                      f" {', '.join(sorted(wanted))} alone cannot be searched")
    given = wanted[pivot]

    def read(size: int, at: str | None) -> tuple[list[Contact], str | None]:
        """One page of the pivot's index (1 Query + 1 BatchGetItem), filtered by the other terms."""
        if pivot in NAME_TERMS:
            found, after = by_name(given, size, at)
        else:
            if isinstance(given, Ending):
                ids, after = store.ids_by_term(Term(PHONE_END, given.digits[-ENDING_DIGITS:]), size, at)
            elif isinstance(given, Beginning):
                ids, after = store.ids_beginning(pivot, given.text, size, at)
            else:
                ids, after = store.ids_by_term(Term(term_kind(pivot, attributes), given), size, at)
            found = [Contact.model_validate(d) for d in store.get_many(ids)]
        return [c for c in found if all(_holds(c, k, v, attributes, region) for k, v in wanted.items())], after

    return filled(read, limit, cursor)


def changed_since(since: str, limit: int, cursor: str | None) -> tuple[list[Contact], str | None]:
    """Contacts changed (created, edited, merged into) at ``since`` or later,
    the oldest change first; each once, as it is now. One Query a month from
    ``since``'s to this one, then one BatchGetItem; a page the request's call
    cap cut short says so with its cursor."""
    moment = parse_datetime(since) if since else None
    if moment is None:
        raise Invalid("updated_since: an ISO 8601 time (2026-12-01T00:00:00Z; without a zone it is UTC)")
    now = datetime.now(UTC)
    if moment.year < 2000 or moment > now + timedelta(days=1):
        raise Invalid("updated_since: a time since 2000 and not in the future; for every contact, list "
                      "GET /contacts without it (or run cim export)")
    months, at = [], moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while at <= now:
        months.append(at.strftime("%Y-%m"))
        at = (at + timedelta(days=32)).replace(day=1)
    docs, next_cursor = store.changed_since(months, iso(moment), limit, cursor)
    return [Contact.model_validate(d) for d in docs], next_cursor


def filled(read: Any, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
    """A page of up to ``limit`` results from ``read(size, cursor)``, which may
    answer fewer than it read (a filter, a name entry counted once): it reads
    on, each time only what is still missing (so no result is skipped), until
    the page is full, the results end, or ``MAX_SEARCH_READS`` reads were made.
    A page that is short and has a cursor stopped at that cap."""
    found: list[Any] = []
    for _ in range(limits.MAX_SEARCH_READS):
        page, cursor = read(limit - len(found), cursor)
        found += page
        if len(found) >= limit or not cursor:
            break
    return found, cursor


def term_kind(key: str, attributes: dict[str, Any]) -> str:
    """The index that a search on ``key`` reads (phone, email or attr:<key>)."""
    if key == "phone":
        return "phone"
    return validation.index_kind(attributes[key])


def _rank(key: str, attributes: dict[str, Any], given: Any = None) -> int | None:
    """Which term to read from an index: the most selective first; None: not indexed."""
    if isinstance(given, Ending):
        return 6
    if isinstance(given, Beginning):
        return 7
    if key == "phone":
        return 0
    if key == "name":
        return 4
    attribute = attributes.get(key)
    if attribute is None:
        return None
    kind = validation.index_kind(attribute)
    if kind is None:
        return None
    if kind in ("phone", "email"):
        return 1
    if kind == NAME:
        return 5
    return 2 if attribute.unique else 3


def _search_value(key: str, raw: Any, attributes: dict[str, Any], region: str) -> Any:
    if isinstance(raw, (dict, list)):
        raise Invalid(f"{key}: search values must be strings, numbers or booleans")
    if key == "phone":
        if not isinstance(raw, str):
            raise Invalid("phone: must be a string")
        try:
            return normalize_phone(raw, key)
        except Invalid:
            digits = "".join(ch for ch in raw if ch.isdigit())
            if ENDING_DIGITS <= len(digits) <= 10 and all(ch.isdigit() or ch in "+-() ./" for ch in raw.strip()):
                return Ending(digits)  # not a whole number: its last digits
            raise
    if key in NAME_TERMS:
        if not isinstance(raw, str) or not names.words(raw):
            raise Invalid(f"{key}: must be a string with at least one letter or digit")
        return raw
    attribute = attributes.get(key)
    if attribute is None:
        raise Invalid(f"{key}: not an attribute of the schema", unknown=[key])
    if isinstance(raw, str) and raw.endswith("*") and attribute.searchable:
        if attribute.type not in BEGINNING_TYPES:
            raise Invalid(f"{key}: only a text attribute can be searched by its beginning (a value ending in *)")
        text = values.search_value(validation.rule_of(attribute), raw[:-1].strip() or " ", region)
        if len(text) < MIN_BEGINNING:
            raise Invalid(f"{key}: give at least {MIN_BEGINNING} characters before the *")
        return Beginning(text)
    return values.search_value(validation.rule_of(attribute), raw, region)


def _holds(contact: Contact, key: str, wanted: Any, attributes: dict[str, Any], region: str) -> bool:
    data = contact.model_dump()
    attached = {(i["kind"], i["value"]) for i in data.get("merged_identifiers") or []}
    if isinstance(wanted, Ending):
        numbers = [contact.normalized.get(k) or "" for k, a in attributes.items() if a.type == "phone"]
        return any(n.endswith(wanted.digits) for n in numbers + [v for k, v in attached if k == "phone"])
    if attached and (key == "phone" or key in attributes) and (term_kind(key, attributes), wanted) in attached:
        return True  # a number or address of a contact merged into this one
    if key == "phone":
        phone_keys = [k for k, a in attributes.items() if a.type == "phone"]
        return wanted in (contact.normalized.get(k) for k in phone_keys)
    if key == "name":
        return names.matches(names.words(wanted), names.name_words(contact.first_name, contact.last_name))
    if key in NAME_FIELDS:
        return names.words(data.get(key) or "") == names.words(wanted)
    held = data.get(key)
    if held is None:
        return False
    try:
        checked = values.check(validation.rule_of(attributes[key]), held, region)
    except Invalid:
        return False
    if isinstance(wanted, Beginning):
        return any(v.startswith(wanted.text) for v in checked.index)
    return wanted in checked.index
