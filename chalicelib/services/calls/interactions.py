"""Interaction trees: legs arrive one at a time, out of order, sometimes
twice; each lands in its call's tree exactly once, and the tree shows in the
history of the contacts it belongs to.

Who sees a call: the contact an agent linked it to; until then every contact
holding the caller's number (or address). Contacts that get the number later
adopt the calls that came from it.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from chalicelib.core import retention
from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import Invalid, NotFound, TooLarge
from chalicelib.core.ids import check_id
from chalicelib.core.retry import until_it_wins
from chalicelib.core.settings import get_settings
from chalicelib.domain import callers, calls, limits, phones
from chalicelib.domain.terms import Term
from chalicelib.domain.values import parse_datetime
from chalicelib.models.contact import size_of
from chalicelib.models.interaction import CALL_ID, CallSummary, Leg, SaveLegRequest, Tree
from chalicelib.models.notes import Note, NoteRequest
from chalicelib.models.wrapups import Wrapup
from chalicelib.services.contacts import notes as contact_notes
from chalicelib.services.privacy import audit, identity, suppression
from chalicelib.store import contacts as contact_store
from chalicelib.store import interactions as store
from chalicelib.store.privacy import Suppressed

IDENTITY = ("interaction_type", "type", "agentId", "start_time")
MAX_LEGS = 200
ADOPT_LIMIT = 100


def check_call_id(call_id: str) -> str:
    if not CALL_ID.match(call_id or ""):
        raise Invalid("call_Id: 1 to 128 letters, digits and . _ : @ -, starting with a letter or digit")
    return call_id


def existing_contact(contact_id: str) -> str:
    """``contact_id`` when it names a contact (400 malformed, 404 unknown,
    409 merged into another, naming it)."""
    contact_store.load(check_id(contact_id, "contact_id"))
    return contact_id


def leg_key(leg: dict[str, Any]) -> str:
    """The leg's id when the platform gave one; else a digest of what
    identifies it, so a replay without an id finds the same leg."""
    if leg.get("leg_id"):
        return leg["leg_id"]
    identity = "\x1f".join(str(leg.get(f) or "") for f in IDENTITY)
    return hashlib.sha256(identity.encode()).hexdigest()[:32].upper()


def origin_of(ani: str | None) -> tuple[str, str] | None:
    """The index a caller's address is found in: a phone number or an e-mail."""
    if not ani:
        return None
    if callers.is_address(ani):
        return ("email", callers.normalized_address(ani))
    e164 = phones.to_e164(ani, get_settings().default_region)
    return ("phone", e164) if e164 else None


def _merge_leg(existing: dict[str, Any] | None, given: dict[str, Any], key: str) -> dict[str, Any]:
    if existing and _behind(given.get("source_progress"), existing.get("source_progress")):
        return existing  # an older snapshot of the same record, late or replayed: it changes nothing
    merged = dict(existing or {})
    wrap_ups = list(merged.get("wrap_ups", []))
    for field, value in given.items():
        if field == "wrap_up":
            if value not in wrap_ups:
                wrap_ups.append(value)
            continue
        merged[field] = value
    if wrap_ups:
        merged["wrap_ups"] = wrap_ups
        merged["wrap_up"] = wrap_ups[-1]  # the newest reported
    merged["leg_id"] = key
    return merged


def _behind(given: Any, stored: Any) -> bool:
    """Whether a record's snapshot is older than the one the leg holds."""
    if not isinstance(given, list) or not isinstance(stored, list):
        return False
    try:
        return given < stored
    except TypeError:
        return False


def _span(legs: list[dict[str, Any]], fallback: str) -> tuple[str, str | None]:
    starts = [leg["start_time"] for leg in legs if leg.get("start_time")]
    if not starts:
        return fallback, None
    ends = []
    for leg in legs:
        if leg.get("start_time"):
            moment = parse_datetime(leg["start_time"])
            duration = leg.get("call_duration") or 0
            try:
                ends.append(iso(moment + timedelta(seconds=float(duration))))
            except OverflowError:  # two legs' times each fine, together past the calendar
                raise Invalid("call_duration: start_time plus call_duration passes the year 9999",
                              field="call_duration") from None
    return min(starts), max(ends)


def _candidates(origin: list[str] | None) -> list[str]:
    if not origin:
        return []
    ids, _ = contact_store.ids_by_term(Term(origin[0], origin[1]), store.MAX_SHOWN_TO, None)
    return ids


def save_leg(call_id: str, request: SaveLegRequest) -> tuple[dict[str, Any], str]:
    """Store one leg; returns the stored leg and ``stored``, ``updated`` or ``unchanged``."""
    check_call_id(call_id)
    if request.call_Id is not None and request.call_Id != call_id:
        raise Invalid(f"call_Id: the body names {request.call_Id!r} but the path names {call_id!r}")
    link = existing_contact(request.contact_id) if request.contact_id else None
    given = request.interaction.given()
    key = leg_key(given)

    caller = {"ani": request.ani, "anonymous": False}
    seen: dict[str, Any] = {}  # the tree a lost race returned: the next try starts from it, unread

    def attempt() -> tuple[dict[str, Any], str]:
        old = seen.pop("tree", None) or store.get(call_id)
        new = _with_leg(old, call_id, caller["ani"], given, key, link, anonymous=caller["anonymous"])
        leg = new["legs"][key]
        if old is not None and _same(old, new):
            return leg, "unchanged"
        try:
            store.write(old, new, _link_entries(old, new), origin_digest=origin_digest(old, new))
        except store.StaleTree as lost:
            if lost.current is not None:
                seen["tree"] = lost.current
            raise
        except Suppressed:
            # The caller was erased (perhaps a moment ago): the call is kept without them.
            caller["anonymous"] = True
            return attempt()
        existed = old is not None and key in old.get("legs", {})
        return leg, "updated" if existed else "stored"

    # Legs of one call arrive together (IVR, queue, agent): a lost race is retried, never refused.
    return until_it_wins(attempt, (store.StaleTree,), f"call {call_id}")


def leg_answer(leg: dict[str, Any], request: SaveLegRequest, *, as_sent: bool) -> Leg:
    """The stored leg a save answers. ``as_sent`` (an IVR): no more than a
    lookup shows, the leg as it sent it, not what agents wrote on the same
    leg (notes, earlier wrap-ups)."""
    if as_sent:
        sent = set(request.interaction.given()) | {"leg_id", "received_at"}
        leg = {k: v for k, v in leg.items() if k in sent}
    return Leg.model_validate(leg)


def _link_entries(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """Audit entries for a call joining or leaving a contact."""
    before, after = (old or {}).get("contact_id"), new.get("contact_id")
    if before == after:
        return []
    call_id = new["call_Id"]
    entries = [audit.entry("unlinked", before, None, None, call_id=call_id)] if before else []
    entries += [audit.entry("linked", after, None, None, call_id=call_id)] if after else []
    return entries


def origin_digest(old: dict[str, Any] | None, new: dict[str, Any]) -> str | None:
    """The keyed hash of the caller a write places on the tree, which the
    write must find unsuppressed. Only a write that places the caller needs
    it: a tree that already had them is in the calls-from listing an erasure
    sweeps after it suppresses, and the write's version condition loses to
    that sweep."""
    origin = new.get("origin")
    if not origin or origin[0] not in suppression.KINDS or list(origin) == list((old or {}).get("origin") or []):
        return None
    return identity.digest(*origin)


def anonymised(tree: dict[str, Any]) -> dict[str, Any]:
    """The tree without its caller: no number, found by nobody but the
    contact an agent linked it to."""
    linked = tree.get("contact_id")
    return tree | {"ani": None, "origin": None, "shown_to": [linked] if linked else []}


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    skip = ("updated_at", "version")
    return {k: v for k, v in old.items() if k not in skip} == {k: v for k, v in new.items() if k not in skip}


def _with_leg(old: dict[str, Any] | None, call_id: str, ani: str | None, given: dict[str, Any], key: str,
              link: str | None, *, anonymous: bool = False) -> dict[str, Any]:
    stamp = now_iso()
    tree = dict(old) if old else {"call_Id": call_id, "legs": {}, "attachments": [], "contact_id": None,
                                  "created_at": stamp, "version": 0, "shown_to": [], "origin": None}
    legs = dict(tree["legs"])
    existing = legs.get(key)
    merged = _merge_leg(existing, given, key)
    if existing is None:
        merged["received_at"] = stamp
        if len(legs) >= MAX_LEGS:
            raise TooLarge(f"call {call_id} already has {MAX_LEGS} legs")
    legs[key] = merged
    if size_of(legs) + size_of(tree.get("notes") or []) > limits.MAX_TREE_BYTES:
        # One item holds the whole tree (a call is one read); DynamoDB's item limit is 400 KB.
        raise TooLarge(f"call {call_id}: its legs would take more than {limits.MAX_TREE_BYTES} bytes; "
                       "send shorter legs (trails, wrap-ups) or start a new call_Id")
    tree["legs"] = legs
    if anonymous:
        tree = anonymised(tree)
    elif ani and not tree.get("ani"):
        tree["ani"] = ani
    found = None if tree.get("origin") else origin_of(tree.get("ani"))
    origin = tree.get("origin") or (list(found) if found else None)
    if link:
        tree["contact_id"] = link
    if link or tree.get("contact_id"):
        tree["shown_to"] = [tree["contact_id"]]
    elif origin != tree.get("origin") or old is None:
        tree["shown_to"] = _candidates(origin)
    tree["origin"] = origin
    tree["start_time"], tree["end_time"] = _span(list(legs.values()), tree["created_at"])
    if "ttl" not in tree:  # kept CIM_INTERACTION_DAYS from when the call was first saved
        expiry = retention.expires(get_settings().interaction_days, parse_datetime(tree["created_at"]).timestamp())
        if expiry:
            tree["ttl"] = expiry
    tree["updated_at"] = stamp
    tree["version"] = tree["version"] + 1
    return tree


def to_model(tree: dict[str, Any]) -> Tree:
    legs = sorted(tree["legs"].values(), key=lambda leg: (leg.get("start_time") or "~", leg.get("received_at", "")))
    return Tree(
        call_Id=tree["call_Id"], phone_number=tree.get("ani"), contact_id=tree.get("contact_id"),
        shown_to=tree.get("shown_to", []), start_time=tree["start_time"], end_time=tree.get("end_time"),
        interactions=legs, attachments=tree.get("attachments", []), notes=tree.get("notes", []),
        wrapups=tree.get("wrapups", []),
        created_at=tree["created_at"],
        updated_at=tree["updated_at"], version=tree["version"],
    )


def get(call_id: str) -> Tree:
    tree = store.get(check_call_id(call_id))
    if tree is None:
        raise NotFound(f"call {call_id} not found")
    return to_model(tree)


def history(contact_id: str, limit: int, cursor: str | None, *, merged: list[str] | None = None
            ) -> tuple[list[Tree], str | None]:
    """The contact's calls, newest first, with those of contacts merged into
    it: a GetItem (is it there, was anything merged into it), then one Query
    per contact and one BatchGetItem a page. ``merged``: the caller has just
    read the contact, and this is its ``merged_from``."""
    check_id(contact_id)
    if merged is None:
        merged = contact_store.load(contact_id).doc.get("merged_from") or []
    entries, next_cursor = store.history(contact_id, limit, cursor, merged)
    return [to_model(t) for t in store.get_many([e.call_id for e in entries])], next_cursor


def history_lines(contact_id: str, limit: int, cursor: str | None, *, merged: list[str] | None = None
                  ) -> tuple[list[CallSummary], str | None]:
    """The contact's calls as history lines, newest first: read from the
    history entries themselves (one Query per contact, after the GetItem
    that says who was merged into it); only entries written before lines
    were kept read their trees (one BatchGetItem)."""
    check_id(contact_id)
    if merged is None:
        merged = contact_store.load(contact_id).doc.get("merged_from") or []
    entries, next_cursor = store.history(contact_id, limit, cursor, merged)
    missing = {t["call_Id"]: calls.summary_of(t)
               for t in store.get_many([e.call_id for e in entries if e.summary is None])}
    lines = [e.summary or missing.get(e.call_id) for e in entries]
    return [CallSummary.model_validate(line) for line in lines if line], next_cursor


def last_calls(ani: str, contact_ids: list[str], scanned: int = 25) -> dict[str, str]:
    """When each of these contacts last called from ``ani``, among its latest
    ``scanned`` calls (one Query and one BatchGetItem, however many contacts)."""
    origin = origin_of(ani)
    if origin is None or not contact_ids:
        return {}
    latest: dict[str, str] = {}
    for tree in store.get_many(store.calls_from(*origin, scanned)):
        holder = tree.get("contact_id")
        if holder in contact_ids and tree["start_time"] > latest.get(holder, ""):
            latest[holder] = tree["start_time"]
    return latest


def _rewrite(call_id: str, change, *, entries=None) -> Tree:
    """Read, change and write a tree, again if someone wrote it meanwhile.
    ``entries(old, new)``: the audit entries of the change (a link or unlink,
    a note, a wrap-up), in the same transaction. A caller erased meanwhile is
    dropped from the tree in the same write."""
    anonymous = {"now": False}

    def attempt() -> Tree:
        old = store.get(call_id)
        if old is None:
            raise NotFound(f"call {call_id} not found")
        new = change(dict(old))
        if new is None and not anonymous["now"]:
            return to_model(old)
        new = anonymised(new or dict(old)) if anonymous["now"] else new
        if _same(old, new):
            return to_model(old)
        new["version"] = old["version"] + 1
        new["updated_at"] = now_iso()
        try:
            store.write(old, new, entries(old, new) if entries else [], origin_digest=origin_digest(old, new))
        except Suppressed:
            anonymous["now"] = True
            return attempt()
        return to_model(new)

    return until_it_wins(attempt, (store.StaleTree,), f"call {call_id}")


def link(call_id: str, contact_id: str) -> Tree:
    check_call_id(call_id)
    existing_contact(contact_id)
    return _rewrite(call_id, lambda tree: tree | {"contact_id": contact_id, "shown_to": [contact_id]}, entries=_link_entries)


def unlink(call_id: str) -> Tree:
    check_call_id(call_id)
    return _rewrite(call_id, lambda tree: tree | {"contact_id": None, "shown_to": _candidates(tree.get("origin"))},
                    entries=_link_entries)


def add_attachment(call_id: str, summary: dict[str, Any]) -> None:
    def change(tree: dict[str, Any]) -> dict[str, Any]:
        kept = [a for a in tree.get("attachments", []) if a["id"] != summary["id"]]
        return tree | {"attachments": kept + [summary]}

    _rewrite(check_call_id(call_id), change)


def remove_attachment(call_id: str, attachment_id: str) -> None:
    def change(tree: dict[str, Any]) -> dict[str, Any]:
        return tree | {"attachments": [a for a in tree.get("attachments", []) if a["id"] != attachment_id]}

    try:
        _rewrite(call_id, change)
    except NotFound:
        pass


def follow_contact(contact_id: str, gained: list[Term], lost: list[Term],
                   seen: set[tuple[str, str]] | None = None) -> None:
    """A contact got (or lost) a number: show it (or stop showing it) the
    unlinked calls from that number."""
    follow_contacts([(contact_id, gained, lost)], seen)


def follow_contacts(changes: list[tuple[str, list[Term], list[Term]]],
                    seen: set[tuple[str, str]] | None = None) -> None:
    """``follow_contact`` for many contacts: one BatchGetItem (per 100
    numbers) finds which numbers have called (``seen``, when the caller has
    read them already); only those are Queried."""
    numbered = [(t.kind, t.value) for _, gained, lost in changes for t in gained + lost
                if t.kind in ("phone", "email")]
    if not numbered:
        return
    if seen is None:
        seen = store.callers_seen(numbered)
    for contact_id, gained, lost in changes:
        for term, joining in [(t, True) for t in gained] + [(t, False) for t in lost]:
            if (term.kind, term.value) in seen:
                _adopt(contact_id, term, joining)


def _adopt(contact_id: str, term: Term, joining: bool) -> None:
    for call_id in store.calls_from(term.kind, term.value, ADOPT_LIMIT):
        def change(tree: dict[str, Any]) -> dict[str, Any] | None:
            if tree.get("contact_id"):
                return None  # linked calls stay with their contact
            if joining and contact_id in tree.get("shown_to", []):
                return None  # shown already: no write
            shown = [c for c in tree.get("shown_to", []) if c != contact_id]
            if joining and len(shown) < store.MAX_SHOWN_TO:
                shown.append(contact_id)
            return tree | {"shown_to": shown}

        _rewrite(call_id, change)


MAX_CALL_NOTES = 50


def add_note(call_id: str, request: NoteRequest) -> Note:
    """A note on the call, kept on its tree (a call is one read, notes
    included); the trail of the contact it is linked to records it."""
    check_call_id(call_id)
    note = contact_notes.new_note(request)

    def change(tree: dict[str, Any]) -> dict[str, Any]:
        notes = list(tree.get("notes") or [])
        if len(notes) >= MAX_CALL_NOTES:
            raise TooLarge(f"call {call_id} already has {MAX_CALL_NOTES} notes; add one to the contact instead")
        if size_of(tree["legs"]) + size_of(notes + [note.model_dump()]) > limits.MAX_TREE_BYTES:
            raise TooLarge(f"call {call_id}: its legs and notes would take more than {limits.MAX_TREE_BYTES} "
                           "bytes; add the note to the contact instead")
        return tree | {"notes": notes + [note.model_dump()]}

    def noted(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
        linked = new.get("contact_id")
        return [audit.entry("noted", linked, None, None, call_id=call_id, fields=["notes"])] if linked else []

    _rewrite(call_id, change, entries=noted)
    return note


MAX_WRAPUPS = 20


def add_wrapup(call_id: str, wrapup: Wrapup) -> None:
    """Close the call with ``wrapup`` (kept newest last; the latest is the call's)."""
    entry = wrapup.model_dump(mode="json")

    def change(tree: dict[str, Any]) -> dict[str, Any]:
        kept = list(tree.get("wrapups") or [])[-(MAX_WRAPUPS - 1):]  # the oldest go past twenty
        return tree | {"wrapups": kept + [entry]}

    def recorded(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
        linked = new.get("contact_id")
        return [audit.entry("wrapped_up", linked, None, None, call_id=call_id, fields=["wrapups"])] if linked else []

    _rewrite(call_id, change, entries=recorded)


def notes(call_id: str) -> list[Note]:
    """A call's notes, newest first."""
    return list(reversed(get(call_id).notes))
