"""A caller's card and the screen pop, the same wherever they open: the
agent desk (a session) and the signed-link pop (no session, read-only).
The pages differ only in what the session may do; what a pop shows is
decided here once.

A pop looks the caller up as the IVR would: one contact is their ``Card``;
several sharing the number are a ``Chooser`` with what tells them apart;
nobody is a ``NewCaller`` form with the number filled in, whose signed token
makes it create one contact however often it is sent."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.core import public
from chalicelib.core.clock import iso
from chalicelib.core.errors import Forbidden, Invalid
from chalicelib.core.ids import check_id
from chalicelib.core.settings import get_settings
from chalicelib.domain import callers
from chalicelib.models.attachment import FileEntry
from chalicelib.models.common import parse
from chalicelib.models.contact import Contact, ContactFields
from chalicelib.models.lookup import LookupRequest
from chalicelib.models.screenpop import ScreenPopLink, ScreenPopLinkRequest
from chalicelib.services.access import links
from chalicelib.services.calls import attachments, interactions
from chalicelib.services.contacts import contacts, duplicates, followups, lookup, newcaller, notes
from chalicelib.services.schema import mapping, schema
from chalicelib.store import contacts as contact_store

CALLS_ON_CARD = 10  # the newest calls a card shows, each with its tree
HISTORY_PAGE = 25  # lines of the history page: one line a call, its tree opened on its own page
# Which door a new-caller form was issued by: a token signed for one is refused by the other.
DESK_FORM, LINK_FORM = "desk-new-contact", "new-contact"


@dataclass(frozen=True)
class Card:
    contact: Contact
    attributes: list[Any]
    calls: list[Any]
    calls_cursor: str | None
    files: list[FileEntry]
    note: str = ""
    notes: list[Any] = ()
    followups: list[Any] = ()  # open ones, soonest due first
    duplicates: list[Any] = ()  # contacts that may be this person (the desk's card only)
    merges: list[str] = ()  # the merges into this card that can still be undone (the desk's card only)


@dataclass(frozen=True)
class Chooser:
    ani: str
    candidates: list[Contact]
    last_calls: dict[str, str]
    telling: list[Any]


@dataclass(frozen=True)
class NewCaller:
    caller: str
    attributes: list[Any]
    values: dict[str, Any]
    token: dict[str, str]
    problem: str = ""
    duplicates: list[Any] = field(default_factory=list)  # contacts that may be this person, shown before saving


def card(contact: Contact | str, note: str = "", *, with_duplicates: bool = False) -> Card:
    """The card of a contact (or its id): every schema attribute, its latest
    notes, its newest calls, its files (with those of contacts merged into
    it), and with ``with_duplicates`` the contacts that may be this person
    (a Query per number and address it holds, a BatchGetItem when shared)."""
    found, possible, undoable = contact, [], []
    if isinstance(contact, str):
        stored = contacts.load(contact)
        found = contacts.to_model(stored.doc, stored.version)
        if with_duplicates:
            possible = duplicates.among(stored.doc, stored.terms, exclude=stored.doc["id"])
            undoable = merges_into(stored.doc)
    merged = contacts.merged_from(found)
    calls, calls_cursor = interactions.history(found.id, CALLS_ON_CARD, None, merged=merged)
    written, _ = notes.listing(found.id, notes.NOTES_ON_CARD, None, merged=merged)
    promised = [f for f in followups.of_contact(found.id, merged) if f.state == "open"]
    return Card(found, schema.attributes(), calls, calls_cursor, attachments.of_contact(found.id, merged=merged), note,
                written, promised, possible, undoable)


def merges_into(doc: dict[str, Any]) -> list[str]:
    """The merges that brought contacts into this one directly (one BatchGetItem, only when any did)."""
    return list(dict.fromkeys(r.merge_id for r in contact_store.redirects(doc.get("merged_from") or [])
                              if r.merged_into == doc["id"]))


def calling_from(ani: str | None, answer: Any) -> str:
    """The card's first line for a pop: the caller's number, and, when a call
    variable found the contact and that number is not one of its own, so."""
    if not ani:
        return ""
    by = answer.matchedBy
    if by is None or by.rule is None:
        return f"Calling from {ani}"
    own = set((answer.contacts[0].normalized or {}).values())
    if callers.normalized(ani, get_settings().default_region) in own:
        return f"Calling from {ani}"
    return (f"Calling from {ani}, a number not on this card: found by {by.rule.callVar or by.rule.callVariable} "
            f"({by.value}), not by the number")


def history(contact_id: str, cursor: str | None) -> tuple[Contact, list[Any], str | None]:
    """A page of a contact's history lines (no tree read: a line opens its call's page)."""
    contact = contacts.get(contact_id)
    lines, next_cursor = interactions.history_lines(contact.id, HISTORY_PAGE, cursor,
                                                    merged=contacts.merged_from(contact))
    return contact, lines, next_cursor


def telling_attributes() -> list[Any]:
    """What tells same-number candidates apart: an attribute a call variable maps to, else one agents search by."""
    wanted = {r.key for r in mapping.rules()}
    custom = [a for a in schema.attributes() if not a.core]
    return [a for a in custom if a.key in wanted] or [a for a in custom if a.unique or a.searchable]


def pop(ani: str | None, variables: dict[str, Any], form: str) -> Card | Chooser | NewCaller:
    """What a screen pop for this call shows (``form``: the door's new-caller form)."""
    asked = LookupRequest.model_validate({"ani": ani or None, "callVariables": variables})
    answer = lookup.lookup(asked.ani, asked.callVariables)
    if answer.match == "unique":
        return card(answer.contacts[0], note=calling_from(ani, answer))
    if answer.match == "multiple":
        last = interactions.last_calls(ani, [c.id for c in answer.contacts]) if ani else {}
        return Chooser(ani or "", answer.contacts, last, telling_attributes())
    if not ani:
        raise Invalid("ani: no contact matched the call variables; give the caller's number to add them")
    if not callers.is_usable(ani, get_settings().default_region):
        # A withheld or unreadable number: the form is for a caller without one (a form
        # bound to "anonymous" could never be saved).
        return new_caller("", form, problem=f"The caller's number ({ani}) was withheld or cannot be read: "
                                            "add them without it, or type the number they give.")
    return new_caller(ani, form)


def new_caller(caller: str, form: str, values: dict[str, Any] | None = None, problem: str = "",
               duplicates: list[Any] = ()) -> NewCaller:
    """The new-contact form for ``caller`` (may be ""), prefilled, with its
    signed token; ``duplicates``: contacts that may be this person (the form
    was refused for them: the agent opens one or saves anyway)."""
    token = links.sign({"form": form, "caller": caller}, seconds=newcaller.FORM_SECONDS)
    filled = callers.prefilled(caller) if values is None else values
    return NewCaller(caller, schema.attributes(), filled, token, problem, list(duplicates))


@dataclass(frozen=True)
class SentForm:
    """A new-caller form as it came back: the caller it was issued for, and
    its signature (which makes it create once)."""
    caller: str
    signature: str


def sent_form(sent: dict[str, str], form: str) -> SentForm:
    """The form's token, if valid, unexpired and issued by this door; else
    ``Forbidden``. (A form for no caller, as a withheld number's, is signed
    like any other: only a pop issues one.)"""
    token = links.verify({k: sent.get(k, "") for k in ("form", "caller", links.EXPIRY, links.SIGNATURE)},
                         seconds=newcaller.FORM_SECONDS)
    if token.get("form") != form:
        raise Forbidden("this form is not valid; open a new one")
    return SentForm(token.get("caller", ""), sent[links.SIGNATURE])


def create_from_form(sent: SentForm, fields: dict[str, Any], if_duplicate: str = "warn") -> Contact:
    """The contact the form's fields (checked here: a schema's fields are no
    fixed model) create, or created if it was sent before;
    ``if_duplicate="refuse"``: not while another contact may be this person."""
    return newcaller.create_once(sent.signature, sent.caller, parse(ContactFields, fields), if_duplicate)


def pop_link(asked: ScreenPopLinkRequest) -> ScreenPopLink:
    """A signed link to the pop of one caller number or one contact, with the
    call variables a lookup would take (the same limits apply)."""
    wanted = {k: v for k, v in (("ani", asked.ani), ("contact_id", asked.contact_id)) if v}
    if len(wanted) != 1:
        raise Invalid("give exactly one of ani or contact_id (a string)")
    if "contact_id" in wanted:
        check_id(wanted["contact_id"], "contact_id")
    variables = parse(LookupRequest, {"ani": wanted.get("ani"), "callVariables": asked.callVariables or {}})
    signed = links.sign(wanted | variables.callVariables)
    return ScreenPopLink(url=public.url(f"/screenpop?{links.query(signed)}"),
                         expiresAt=iso(datetime.fromtimestamp(int(signed[links.EXPIRY]), UTC)))


def save_form(contact_id: str, changed: dict[str, Any], read_version: int) -> Contact:
    """The edit form's changed fields, checked, saved at the version the form was read at."""
    return contacts.update(contact_id, parse(ContactFields, changed), read_version)
