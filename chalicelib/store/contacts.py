"""Contacts and their index entries in the table.

A contact item holds the contact document (``doc``), its ``version`` and the
index ``terms`` it was written with, so an update or delete knows exactly
which index items to remove without re-deriving them. The contact and its
index items always change in one ``TransactWriteItems``.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.core import metering
from chalicelib.core.errors import Conflict, Contended, Merged, NotFound, PreconditionFailed, Unavailable
from chalicelib.domain import ivr
from chalicelib.domain.names import KEYED_LETTERS
from chalicelib.domain.terms import (
    BEGINS,
    INDEX_FORMAT,
    NAME,
    NAME_BEGINS,
    NAME_LONG,
    NAME_PAIR,
    NAME_TRIPLE,
    UNIQUE,
    UPDATED,
    Term,
)
from chalicelib.store import audit as audit_store
from chalicelib.store import cursor, holders
from chalicelib.store import privacy as privacy_store
from chalicelib.store.codec import deserialize, serialize, value
from chalicelib.store.dynamo import BATCH_WRITE_MAX, batch_get, batch_write, call, query_page
from chalicelib.store.entities import CONTACTS_GSI
from chalicelib.store.entities.contacts import ContactItem, UniqueClaimItem, UpdatedItem
from chalicelib.store.entities.health import HealthItem
from chalicelib.store.entities.search import (
    BeginningItem,
    IndexItem,
    NameBeginsItem,
    NameItem,
    NameLongItem,
    NamePairItem,
    NameTripleItem,
)
from chalicelib.store.transaction import Cancelled, Transaction

SCAN_FACTOR, SCAN_MAX = 20, 1000  # name entries one filtered search may read


@dataclass
class StoredContact:
    doc: dict[str, Any]
    version: int
    terms: list[Term]
    index_format: int = INDEX_FORMAT  # of the entries it was written with (0: before formats were recorded)


@dataclass(frozen=True)
class Redirect:
    """What a merged contact's item holds: where it went."""
    contact_id: str
    merged_into: str
    merge_id: str


@dataclass(frozen=True)
class NameHit:
    """A name entry a search found: the word it is under (a pair entry: its
    other word), the name's words, and the contact as it was written (None
    when too large to carry); ``paired``: the contact has pair entries."""
    contact_id: str
    word: str
    words: list[str]
    contact: dict[str, Any] | None
    paired: bool
    tripled: bool = False


def index_key(term: Term, contact_id: str) -> dict[str, str]:
    if term.kind == NAME:
        return NameItem.keys(term.value, contact_id)
    if term.kind == NAME_PAIR:
        return NamePairItem.keys(*term.value.split(" "), contact_id)
    if term.kind == NAME_BEGINS:
        return NameBeginsItem.keys(*term.value.split(" "), contact_id)
    if term.kind == NAME_TRIPLE:
        return NameTripleItem.keys(*term.value.split(" "), contact_id)
    if term.kind == NAME_LONG:
        return NameLongItem.keys(term.value, contact_id)
    if term.kind.startswith(BEGINS):
        return BeginningItem.keys(term.kind.removeprefix(BEGINS), term.value, contact_id)
    if term.kind.startswith(UNIQUE):
        return UniqueClaimItem.keys(term.kind.removeprefix(UNIQUE), term.value)
    if term.kind == UPDATED:
        return UpdatedItem.keys(term.value, contact_id)
    return IndexItem.keys(term.kind, term.value, contact_id)


# A contact up to this size rides on its name entries: a page of 25 found
# (entries of ~1 KB with their keys and words) stays within 3 read units.
NAME_CONTACT_MAX = 800
NAMED = (NAME, NAME_PAIR, NAME_BEGINS, NAME_TRIPLE, NAME_LONG)


@dataclass(frozen=True)
class EntryShape:
    """What a contact's index entries carry besides its id: a name entry the
    name's words and the contact (when small enough), an entry the IVR
    lookup queries the contact's card."""
    words: list[str]
    card: dict[str, Any] | None
    contact: dict[str, Any] | None
    paired: bool  # the terms have pair entries (a contact stored before format 4 has not)
    tripled: bool  # and the entries of three words, beginnings and long names (format 5)

    @classmethod
    def of(cls, doc: dict[str, Any], terms: list[Term], version: int) -> EntryShape:
        contact = doc | {"version": version}
        small = len(json.dumps(contact, separators=(",", ":"), default=str).encode()) <= NAME_CONTACT_MAX
        return cls(name_words(terms), ivr.card(doc, terms), contact if small else None,
                   any(t.kind == NAME_PAIR for t in terms), any(t.kind == NAME_BEGINS for t in terms))


def index_item(term: Term, contact_id: str, shape: EntryShape) -> dict[str, Any]:
    item = index_key(term, contact_id) | {"id": contact_id}
    if term.kind in NAMED:
        # ``text`` lets a search for several words filter in the Query itself
        # (contains " <prefix>": a word starting with it); ``paired``: the
        # contact has pair entries (written by index format 4 or later);
        # ``tripled``: and those of format 5.
        item |= {"words": shape.words, "text": " " + " ".join(shape.words), "paired": shape.paired,
                 "tripled": shape.tripled}
        if shape.contact is not None:
            item["contact"] = shape.contact
    elif shape.card is not None and ivr.looked_up_by(term):
        item["card"] = shape.card
    return item


def entries_to_rewrite(old: EntryShape, new: EntryShape, old_terms: list[Term], terms: list[Term]) -> list[Term]:
    """The entries a change writes: the new terms, the name entries when the
    contact they carry changed (any change: its version moves), the looked-up
    ones when the card changed."""
    old_set = set(old_terms)
    names_changed = new.words != old.words or new.contact != old.contact
    card_changed = new.card != old.card
    return [t for t in terms if t not in old_set or (names_changed and t.kind in NAMED)
            or (card_changed and ivr.looked_up_by(t))]


def add_index(tx: Transaction, term: Term, contact_id: str, shape: EntryShape) -> int:
    item = index_item(term, contact_id, shape)
    if term.kind.startswith(UNIQUE):
        # A value held by another contact refuses the whole write.
        return tx.put(item, only_if="attribute_not_exists(PK) OR id = :id", values={":id": contact_id},
                      return_old=True)
    return tx.put(item)


def contact_item(doc: dict[str, Any], version: int, terms: list[Term]) -> dict[str, Any]:
    return (
        ContactItem.keys(doc["id"])
        | ContactItem.listing(doc["created_at"], doc["id"])
        | {"doc": doc, "version": version, "terms": [t.as_list() for t in terms], "index_format": INDEX_FORMAT}
    )


def _from_item(item: dict[str, Any]) -> StoredContact:
    doc = item["doc"]
    return StoredContact(doc=doc, version=item["version"], terms=[Term(*t) for t in item.get("terms", [])],
                         index_format=int(item.get("index_format", 0)))


def _is_contact(item: dict[str, Any]) -> bool:
    """A contact, not the redirect a merge left in its place."""
    return "doc" in item


def redirect_item(contact_id: str, merged_into: str, merge_id: str, version: int) -> dict[str, Any]:
    """The item a merged contact leaves (``version``: the merge's, past its
    last): no document, no index entry, not listed."""
    return ContactItem.keys(contact_id) | {"merged_into": merged_into, "merge_id": merge_id, "version": version}


def terms_for(doc: dict[str, Any], terms: list[Term]) -> list[Term]:
    """``terms`` (from the fields), the identifiers of contacts merged into
    this one that its fields do not hold (lookups by them still find it), and
    its last change (``updated_since`` finds it there; one entry, moved by
    every write as the others are)."""
    attached = [Term(i["kind"], i["value"]) for i in doc.get("merged_identifiers") or []]
    changed = [Term(UPDATED, doc["updated_at"])] if doc.get("updated_at") else []
    return list(dict.fromkeys([t for t in terms if t.kind != UPDATED] + attached + changed))


def _doc(item: dict[str, Any]) -> dict[str, Any]:
    """The contact document as read back, with its version."""
    return item["doc"] | {"version": item["version"]}


def name_words(terms: list[Term]) -> list[str]:
    return [t.value for t in terms if t.kind == NAME]


def _commit(tx: Transaction, contact_id: str, *, creating: bool, claims: list[tuple[int, Term]] = (),
            guards: list[int] = (), unsuppressed: list[str] = ()) -> None:
    """Commit, turning a cancelled transaction into the domain error a client
    should see: a suppressed identifier, a unique value another contact
    holds, a contact already there, gone or at another version."""
    try:
        tx.commit()
    except Cancelled as cancelled:
        privacy_store.raise_if_suppressed(cancelled, list(guards), list(unsuppressed))
        raise_if_claimed(cancelled, claims)
        if not cancelled.failed(0):
            raise Contended(f"contact {contact_id} was changed concurrently; retry",
                            reasons=cancelled.codes) from None
        if creating:
            raise Conflict(f"contact {contact_id} already exists") from None
        found = cancelled.old(0)
        if found is None:
            raise NotFound(f"contact {contact_id} not found") from None
        raise PreconditionFailed(
            f"version: contact {contact_id} is at version {found.get('version')}; read it again and retry",
            current_version=found.get("version")) from None


def raise_if_claimed(cancelled: Cancelled, claims: list[tuple[int, Term]]) -> None:
    """A Conflict naming the unique value another contact holds, if that is why it was cancelled."""
    for step, term in claims:
        if cancelled.failed(step):
            key = term.kind.removeprefix(UNIQUE)
            holder = (cancelled.old(step) or {}).get("id")
            raise Conflict(f"{key}: the value is unique and contact {holder} already holds it",
                           field=key, holder_id=holder) from None


def create(doc: dict[str, Any], terms: list[Term], audit: dict[str, Any] | None = None,
           unsuppressed: list[str] = (), held: dict[str, set[str]] | None = None) -> None:
    """The contact, its index entries and ``audit`` (the entry recording it)
    in one transaction, guarded: none of ``unsuppressed`` (keyed hashes of
    its numbers and addresses) may be suppressed, else ``Suppressed``. The
    contact joins the holder markers of its numbers and addresses (``held``:
    them as read before, so that a crowded one is left as it is)."""
    terms = terms_for(doc, terms)
    shape = EntryShape.of(doc, terms, 1)
    tx = Transaction()
    tx.put_new(contact_item(doc, 1, terms))
    audit_store.add(tx, audit)
    guards = privacy_store.guard_unsuppressed(tx, list(unsuppressed))
    claims = [(add_index(tx, t, doc["id"], shape), t) for t in terms]
    holders.hold(tx, doc["id"], terms, read=held)
    _commit(tx, doc["id"], creating=True, claims=claims, guards=guards, unsuppressed=unsuppressed)


def put_many(new: list[tuple[dict[str, Any], list[Term]]], audits: list[dict[str, Any]] | None = None,
             held: dict[str, set[str]] | None = None) -> list[str]:
    """Write new contacts that claim no unique value, many a BatchWriteItem.

    Every index entry goes first, then the contacts, so a contact is never
    readable without its entries: an interruption leaves at worst entries
    pointing at no contact, which readers skip and a re-run rewrites. Each
    contact's audit entry (``audits``, in the same order) goes in the
    same BatchWriteItem as the contact. ``held``: the holder markers of
    their numbers and addresses as read before (hash -> ids), rewritten with
    the new holders added. Returns the ids written;
    ``Unavailable`` (with the ids written so far in ``written``) if the table
    stops taking writes.
    """
    if any(t.kind.startswith(UNIQUE) for _, terms in new for t in terms):
        raise ValueError("a unique claim needs a conditional write: use create()")
    built = [new_items(doc, terms) for doc, terms in new]
    markers = holders.with_new_holders(held or {}, [(doc["id"], terms) for doc, terms in new])
    batch_write([entry for entries, _ in built for entry in entries] + holders.marker_items(markers))
    written: list[str] = []
    step = BATCH_WRITE_MAX // 2 if audits else BATCH_WRITE_MAX
    for start in range(0, len(new), step):
        items = [item for _, item in built[start:start + step]]
        items += [serialize(audit_store.item(entry)) for entry in (audits or [])[start:start + step]]
        try:
            batch_write(items)
        except Unavailable as error:
            error.details["written"] = written
            raise
        written += [doc["id"] for doc, _ in new[start:start + step]]
    return written


def new_items(doc: dict[str, Any], terms: list[Term]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A new contact as stored: its index entries and its item (typed)."""
    terms = terms_for(doc, terms)
    shape = EntryShape.of(doc, terms, 1)
    return [serialize(index_item(t, doc["id"], shape)) for t in terms], serialize(contact_item(doc, 1, terms))


def existing(contact_ids: list[str]) -> set[str]:
    """Which of ``contact_ids`` are stored (BatchGetItem, 100 a call)."""
    if not contact_ids:
        return set()
    found = batch_get(serialize(ContactItem.keys(c)) for c in dict.fromkeys(contact_ids))
    return {i["doc"]["id"] for i in found if _is_contact(i)}


def unique_holder(key: str, value: str) -> str | None:
    """The id of the contact that holds ``value`` of the unique attribute ``key``."""
    reply = call("get_item", Key=serialize(UniqueClaimItem.keys(key, value)), ConsistentRead=True)
    return deserialize(reply["Item"]).get("id") if reply.get("Item") else None


def get(contact_id: str) -> StoredContact | None:
    """The contact (None: never stored, deleted, or merged into another)."""
    found = get_or_redirect(contact_id)
    return found if isinstance(found, StoredContact) else None


def load(contact_id: str) -> StoredContact:
    """The contact; NotFound, or Merged naming the contact it was merged into."""
    found = get_or_redirect(contact_id)
    if found is None:
        raise NotFound(f"contact {contact_id} not found")
    if isinstance(found, Redirect):
        raise Merged(f"contact {contact_id} was merged into {found.merged_into}; use that contact",
                     merged_into=found.merged_into, merge_id=found.merge_id)
    return found


def redirects(contact_ids: list[str]) -> list[Redirect]:
    """Where each of these merged contacts went, and by which merge (one BatchGetItem)."""
    if not contact_ids:
        return []
    found = batch_get(serialize(ContactItem.keys(c)) for c in dict.fromkeys(contact_ids))
    return [Redirect(ContactItem.id_of(i["PK"]), i["merged_into"], i["merge_id"])
            for i in found if not _is_contact(i) and i.get("merged_into")]


def get_or_redirect(contact_id: str) -> StoredContact | Redirect | None:
    """The contact, or where a merge took it (one GetItem)."""
    reply = call("get_item", Key=serialize(ContactItem.keys(contact_id)), ConsistentRead=True)
    if not reply.get("Item"):
        return None
    item = deserialize(reply["Item"])
    if _is_contact(item):
        return _from_item(item)
    return Redirect(contact_id, item["merged_into"], item["merge_id"])


def replace(old: StoredContact, doc: dict[str, Any], terms: list[Term], audit: dict[str, Any] | None = None,
            unsuppressed: list[str] = (), held: dict[str, set[str]] | None = None, *,
            rewrite_all: bool = False) -> None:
    """Write ``doc`` as version ``old.version + 1`` if the stored one is still
    ``old.version`` (guarded like ``create``; ``held`` as there)."""
    contact_id = doc["id"]
    terms = terms_for(doc, terms)
    # Entries rewritten in a new format with the document as it was are no change of the
    # contact: its version stays (a client holding it is not told of an edit nobody made).
    version = old.version if rewrite_all and doc == old.doc else old.version + 1
    shape = EntryShape.of(doc, terms, version)
    old_set, new_set = set(old.terms), set(terms)
    stale = [t for t in old.terms if t not in new_set]
    # Entries carry the name's words, the contact and the IVR's card: rewritten when those
    # change (``rewrite_all``: every entry, as an index format upgrade does).
    fresh = list(terms) if rewrite_all else entries_to_rewrite(EntryShape.of(old.doc, old.terms, old.version),
                                                                 shape, old.terms, terms)
    tx = Transaction()
    tx.put(contact_item(doc, version, terms), only_if="version = :expected",
           values={":expected": old.version}, return_old=True)
    audit_store.add(tx, audit)
    guards = privacy_store.guard_unsuppressed(tx, list(unsuppressed))
    for term in stale:
        tx.delete(index_key(term, contact_id))
    claims = [(add_index(tx, t, contact_id, shape), t) for t in fresh]
    holders.hold(tx, contact_id, [t for t in terms if t not in old_set], read=held)
    holders.release(tx, contact_id, stale)
    _commit(tx, contact_id, creating=False, claims=claims, guards=guards, unsuppressed=unsuppressed)
    holders.drop_if_empty(stale)


def delete(old: StoredContact, audit: dict[str, Any] | None = None) -> None:
    contact_id = old.doc["id"]
    tx = Transaction()
    tx.delete(ContactItem.keys(contact_id), only_if="version = :expected", values={":expected": old.version},
              return_old=True)
    audit_store.add(tx, audit)
    for term in old.terms:
        tx.delete(index_key(term, contact_id))
    holders.release(tx, contact_id, old.terms)
    _commit(tx, contact_id, creating=False)
    holders.drop_if_empty(old.terms)


def get_many(contact_ids: list[str]) -> list[dict[str, Any]]:
    """Contact documents for ``contact_ids``, in that order; missing ones skipped."""
    return get_many_with(contact_ids, [])[0]


def get_many_with(contact_ids: list[str], other_keys: list[dict[str, str]]
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``get_many``, and the items at ``other_keys`` (decoded, keys kept) in the same BatchGetItem."""
    unique = list(dict.fromkeys(contact_ids))
    if not unique and not other_keys:
        return [], []
    items = batch_get([serialize(ContactItem.keys(c)) for c in unique] + [serialize(k) for k in other_keys])
    found = {i["doc"]["id"]: _doc(i) for i in items if i.get("SK") == ContactItem.sk and _is_contact(i)}
    return [found[c] for c in unique if c in found], [i for i in items if i.get("SK") != ContactItem.sk]


def holding(wanted: dict[str, set[Term]], other_keys: list[dict[str, str]] = ()
            ) -> tuple[list[tuple[dict[str, Any], set[Term]]], list[dict[str, Any]]]:
    """Of the contacts ``wanted`` names (id -> terms), those that still hold
    one of its terms, each with the terms it holds of them (a holder marker
    is a hint: a contact edited, merged or deleted since drops out here); and
    the items at ``other_keys``; in one BatchGetItem."""
    if not wanted and not other_keys:
        return [], []
    items = batch_get([serialize(ContactItem.keys(c)) for c in wanted] + [serialize(k) for k in other_keys])
    shares = {i["doc"]["id"]: (_doc(i), wanted[i["doc"]["id"]] & {Term(*t) for t in i.get("terms", [])})
              for i in items if i.get("SK") == ContactItem.sk and _is_contact(i) and i["doc"]["id"] in wanted}
    return [shares[c] for c in wanted if c in shares and shares[c][1]], \
        [i for i in items if i.get("SK") != ContactItem.sk]


LIST_POSITION = ("GSI1SK",)  # a list cursor is the position reached: "<created_at>#<id>"


def list_page(limit: int, page_cursor: str | None, *, unsharded: bool) -> tuple[list[dict[str, Any]], str | None]:
    """Contacts newest first, from ``page_cursor`` on (``unsharded``: the
    table is still being upgraded to the listing's shards: read the old key too)."""
    start = cursor.decode("list", page_cursor, LIST_POSITION)
    return _list_from(limit, start["GSI1SK"]["S"] if start else None, unsharded)


def list_after(contact: StoredContact, limit: int, *, unsharded: bool) -> tuple[list[dict[str, Any]], str | None]:
    """The page of contacts that follows ``contact`` in list order (keyset paging)."""
    return _list_from(limit, ContactItem.listing(contact.doc["created_at"], contact.doc["id"])["GSI1SK"], unsharded)


def _list_from(limit: int, position: str | None, unsharded: bool) -> tuple[list[dict[str, Any]], str | None]:
    items, last = _listing_page(limit, position, unsharded=unsharded, newest_first=True)
    return [_doc(i) for i in items], cursor.encode("list", {"GSI1SK": value(last)} if last else None)


def _listing_page(limit: int, position: str | None, *, unsharded: bool, newest_first: bool
                  ) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the contact list (GSI1) past ``position``: each of its keys
    read from there (one Query each, ``limit`` items at most) and merged; and
    the position reached, or None when every key is read to its end."""
    condition = "GSI1PK = :pk" + ("" if position is None else f" AND GSI1SK {'<' if newest_first else '>'} :at")
    found: list[dict[str, Any]] = []
    more = False
    for pk in ContactItem.listing_pks(unsharded=unsharded):
        values = {":pk": value(pk)} | ({} if position is None else {":at": value(position)})
        reply = call("query", IndexName=CONTACTS_GSI, KeyConditionExpression=condition,
                     ExpressionAttributeValues=values, ScanIndexForward=not newest_first, Limit=limit)
        found += [deserialize(i) for i in reply.get("Items", [])]
        more = more or "LastEvaluatedKey" in reply
    found.sort(key=lambda i: i["GSI1SK"], reverse=newest_first)
    page = found[:limit]
    # A key cut short at ``limit``, or more found together than a page: the list goes on from the page's last.
    goes_on = more or len(found) > limit
    return page, (page[-1]["GSI1SK"] if goes_on and page else None)


def ids_by_term(term: Term, limit: int, page_cursor: str | None) -> tuple[list[str], str | None]:
    """Ids of contacts holding exactly ``term`` (phone, email, attribute)."""
    pk = IndexItem.pk_of(term.kind, term.value)
    items, next_cursor = query_page(
        pk, page_cursor, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": value(pk)},
        ProjectionExpression="id", ConsistentRead=True, Limit=limit)
    return [i["id"] for i in items], next_cursor


def changed_since(months: list[str], since: str, limit: int, page_cursor: str | None
                  ) -> tuple[list[dict[str, Any]], str | None]:
    """Contact documents (with their version, as ``get_many``) whose last
    change is at ``since`` or later, oldest change first: a month's shards
    read from the last position on (one Query each) and merged, month after
    month until the page is full (or the request's call cap nears), then one
    BatchGetItem. The cursor is the month and the position reached. A
    contact changed again while the page was read is left out here: its
    entry moved on, and a later page has it."""
    scope = f"updated:{since}"
    resume = cursor.decode(scope, page_cursor)
    after = deserialize(resume)["SK"] if resume else None
    if resume:
        months = [m for m in months if m >= UpdatedItem.month_of(deserialize(resume)["PK"])]
    found: list[str] = []  # sort keys: "<updated_at>#<id>"
    next_key: dict[str, Any] | None = None
    for month in months:
        if not metering.budget_left(reserve=UpdatedItem.SHARDS + 1):
            next_key = serialize({"PK": UpdatedItem.month_pk(month), "SK": after or since})
            break
        need, seen = limit - len(found), []
        for pk in UpdatedItem.month_pks(month):  # one more than needed: whether the month goes on
            condition, start = ("SK > :at", after) if after else ("SK >= :at", since)
            reply = call("query", KeyConditionExpression=f"PK = :pk AND {condition}", ConsistentRead=True,
                         ExpressionAttributeValues={":pk": value(pk), ":at": value(start)}, Limit=need + 1,
                         ProjectionExpression="SK")
            seen += [i["SK"]["S"] for i in reply.get("Items", [])]
        found += sorted(seen)[:need]  # no shard reached its Limit unless more than ``need`` came together
        if len(seen) > need:
            next_key = serialize({"PK": UpdatedItem.month_pk(month), "SK": found[-1]})
            break
        after = None  # the next month's entries all come after ``since``
        if len(found) == limit and month != months[-1]:
            following = months[months.index(month) + 1]
            next_key = serialize({"PK": UpdatedItem.month_pk(following), "SK": since})
            break
    entries = [UpdatedItem.change_of(sk) for sk in found]
    docs = {d["id"]: d for d in get_many([contact_id for _, contact_id in entries])}
    page = [docs[c] for at, c in entries if c in docs and docs[c].get("updated_at") == at]
    return page, cursor.encode(scope, next_key)


@dataclass(frozen=True)
class Found:
    """A contact an index entry names, with its IVR card when the entry carries one."""
    contact_id: str
    card: dict[str, Any] | None


def found_by_term(term: Term, limit: int) -> list[Found]:
    """The contacts holding exactly ``term``, each with its card: the IVR's
    answer in one Query (strongly consistent: an erased or edited contact is
    never answered from a stale copy)."""
    pk = IndexItem.pk_of(term.kind, term.value)
    reply = call("query", KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": value(pk)},
                 ProjectionExpression="id, card", ConsistentRead=True, Limit=limit)
    return [Found(i["id"], i.get("card")) for i in map(deserialize, reply.get("Items", []))]


def ids_beginning(key: str, beginning: str, limit: int, page_cursor: str | None) -> tuple[list[str], str | None]:
    """Ids of contacts whose attribute ``key`` holds a value starting with
    ``beginning`` (at least two characters), in value order (one Query)."""
    pk = BeginningItem.pk_of(key, beginning)
    items, next_cursor = query_page(
        pk, page_cursor, KeyConditionExpression="PK = :pk AND begins_with(SK, :beginning)",
        ExpressionAttributeValues={":pk": value(pk), ":beginning": value(beginning)},
        ProjectionExpression="id", ConsistentRead=True, Limit=limit)
    return list(dict.fromkeys(i["id"] for i in items)), next_cursor


def name_hits(prefix: str, limit: int, page_cursor: str | None, others: list[str] = (), *,
              longer_only: bool = False) -> tuple[list[NameHit], str | None]:
    """Name entries whose word starts with ``prefix`` (``longer_only``: and
    is not ``prefix`` itself), in word order, and (when ``others`` are given)
    whose name has words starting with each of those too: the Query filters
    on the entries' ``text``, reading up to ``SCAN_FACTOR`` times ``limit``
    entries so a common first word still fills a page in one call.
    Eventually consistent, as an index is."""
    scope = f"name{'+' if longer_only else ''}:{prefix}"
    return _name_page(scope, NameItem.pk_of(prefix), prefix, limit, page_cursor, others, longer_only)


def name_pair_hits(word: str, other: str, limit: int, page_cursor: str | None, rest: list[str] = ()
                   ) -> tuple[list[NameHit], str | None]:
    """Pair entries of names holding ``word`` whole and another word starting
    with ``other``, in that other word's order (each hit's ``word``); ``rest``
    filters as in ``name_hits``. Reads only matches when ``rest`` is empty."""
    return _name_page(f"name2:{word}", NamePairItem.pk_of(word), other, limit, page_cursor, rest)


def name_triple_hits(first: str, second: str, third: str, limit: int, page_cursor: str | None,
                     rest: list[str] = ()) -> tuple[list[NameHit], str | None]:
    """Entries of names holding ``first`` and ``second`` whole and a third
    word starting with ``third`` (each hit's ``word``); ``rest`` filters."""
    return _name_page(f"name3:{first}:{second}", NameTripleItem.pk_of(first, second), third, limit, page_cursor,
                      rest)


def name_beginning_hits(word: str, other: str, limit: int, page_cursor: str | None, rest: list[str] = ()
                        ) -> tuple[list[NameHit], str | None]:
    """Beginning entries of names with a word ``word`` begins (and is not)
    and another word starting with ``other``'s first letters, in the first
    word's order (each hit's ``word`` is "<word>#<other word>"); ``rest``
    (and ``other`` when longer than its keyed letters) filter."""
    return _name_page(f"nameb:{word}:{other}", NameBeginsItem.pk_of(other), word, limit, page_cursor,
                      [*rest, other] if len(other) > KEYED_LETTERS else list(rest), longer_only=True)


def long_name_hits(prefix: str, limit: int, page_cursor: str | None, others: list[str] = ()
                   ) -> tuple[list[NameHit], str | None]:
    """The long names' entries of words starting with ``prefix``, filtered as in ``name_hits``."""
    return _name_page(f"namel:{prefix}", NameLongItem.pk_of(prefix), prefix, limit, page_cursor, others)


def _name_page(scope: str, pk: str, prefix: str, limit: int, page_cursor: str | None, others: list[str],
               longer_only: bool = False) -> tuple[list[NameHit], str | None]:
    params: dict[str, Any] = {
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": value(pk), ":prefix": value(prefix)},
        "Limit": limit,
    }
    if longer_only:
        # "<word>#<id>" sorts before "<word>$", and every longer word ("<word>a…") after it.
        params["KeyConditionExpression"] = "PK = :pk AND SK BETWEEN :after AND :last"
        params["ExpressionAttributeValues"] = {":pk": value(pk), ":after": value(prefix + "$"),
                                               ":last": value(prefix + "\U0010ffff")}
    if others:
        params["FilterExpression"] = " AND ".join(f"contains(#text, :w{i})" for i in range(len(others)))
        params["ExpressionAttributeNames"] = {"#text": "text"}
        params["ExpressionAttributeValues"] |= {f":w{i}": value(" " + w) for i, w in enumerate(others)}
        params["Limit"] = min(limit * SCAN_FACTOR, SCAN_MAX)
    items, next_cursor = query_page(scope, page_cursor, keep=limit, **params)
    hits = [NameHit(contact_id=i["id"], word=i["SK"].rsplit("#", 1)[0], words=i["words"],
                    contact=i.get("contact"), paired=bool(i.get("paired")), tripled=bool(i.get("tripled")))
            for i in items]
    return hits, next_cursor


def ping() -> None:
    """One cheap read that proves the table answers (raises ``Unavailable``)."""
    call("get_item", Key=serialize(HealthItem.keys()))


def every(page_size: int = 500) -> Iterator[StoredContact]:
    """Every contact, oldest first, read a page at a time (maintenance passes, export)."""
    start = None
    while True:
        page, start = page_all(page_size, start)
        yield from page
        if not start:
            return


def page_all(limit: int, start: dict[str, str] | None, *, unsharded: bool = True
             ) -> tuple[list[StoredContact], dict[str, str] | None]:
    """Every contact, oldest first, a page at a time, for maintenance passes
    (schema jobs, scans). ``start``/the returned position are plain dicts
    kept server-side (``GSI1SK``; a job begun before the shards kept a whole
    start key, whose ``GSI1SK`` is the same position). A contact a pass
    rewrites meanwhile keeps its position, in whichever key."""
    items, last = _listing_page(limit, (start or {}).get("GSI1SK"), unsharded=unsharded, newest_first=False)
    return [_from_item(i) for i in items], ({"GSI1SK": last} if last else None)
