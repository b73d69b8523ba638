"""The agent desk: sign in once, then search, pop, edit and follow a caller's
history in the browser.

Every page is a route declared with ``session=True``: the agent's session
cookie (``services/access/sessions``) stands in for a key, and every write
carries the session's CSRF token. A page reads what the API route behind it
reads (``tests/api/test_desk.py`` counts the calls). The HTML lives in
``desk_views``.

A CTI screen pop opens ``/desk/pop?ani=<number>&<call variables>``: the card,
a chooser or the new-caller form; without a session the agent signs in and
comes back to the same pop.
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from chalice import Response

from chalicelib.api import desk_views as views
from chalicelib.api import http
from chalicelib.api.http import form_body, query, to_response
from chalicelib.api.pages import html_response
from chalicelib.api.routing import FORM_MEDIA, HTML_MEDIA, SIGN_IN_PATH, Area, check_same_origin
from chalicelib.core import public
from chalicelib.core.clock import iso
from chalicelib.core.errors import (
    DomainError,
    Forbidden,
    Invalid,
    Merged,
    NotFound,
    PossibleDuplicate,
    PreconditionFailed,
    Unauthorized,
)
from chalicelib.core.ids import is_id
from chalicelib.core.roles import AGENT, PUBLIC, may
from chalicelib.core.settings import get_settings
from chalicelib.domain import callers
from chalicelib.domain.terms import BEGINNING_TYPES, MIN_BEGINNING
from chalicelib.models.attachment import AttachmentCreated, AttachmentRequest
from chalicelib.models.contact import ContactVersion
from chalicelib.models.followups import FollowupRequest
from chalicelib.models.merges import MergeRequest
from chalicelib.models.notes import NoteRequest
from chalicelib.models.wrapups import WrapupRequest

area = Area(__name__, "Desk")
# What the card says after a save from it (its query flag -> the line shown).
CARD_NOTICES = (("saved", "Saved."), ("uploaded", "File uploaded."), ("noted", "Note saved."),
                ("promised", "Follow-up saved."), ("done", "Follow-up done."),
                ("unmerged", "Merge undone: the other record is back as it was."))
bp = area.blueprint
SEARCH_PAGE = 25
HOME_FOLLOWUPS = 20


def _page(body: str, status: int = 200, **kw: Any) -> Response:
    return html_response(body, status, **kw)


def _see_other(path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Response:
    return Response(body="", status_code=303, headers={"Location": views.desk_url(path, params)} | (headers or {}))


def _safe_next(raw: str | None) -> str:
    """Only a desk path of ours, in printable ASCII (it becomes a Location
    header): never another site (an open redirect), never a header break."""
    if (raw and raw.startswith("/desk") and not raw.startswith("//") and "\\" not in raw and len(raw) <= 2000
            and all("!" <= ch <= "~" for ch in raw)):
        return raw
    return "/desk"


def _agent() -> str:
    """Whose desk this is: the signed-in key (its hash: two keys may share a name)."""
    return area.session.key_hash[:32]


def _cookie(value: str, max_age: int, *, name: str = "", path: str = "/desk", in_frames: bool = True) -> str:
    """``HttpOnly``, ``Secure`` (but on ``make run``'s plain-HTTP loopback),
    scoped to ``path`` (the desk's session cookie unless ``name`` says
    another). ``SameSite=Lax`` unless the desk is embedded in an agent
    workspace of another site (and ``in_frames``), where only ``SameSite=None;
    Partitioned`` cookies reach the frame (the CSRF token still guards writes)."""
    from chalicelib.services.access import sessions
    base = urlsplit(public.url(path))
    local = base.scheme == "http" and base.hostname in ("127.0.0.1", "localhost", "::1")
    parts = [f"{name or sessions.COOKIE}={value}", f"Path={base.path or path}", f"Max-Age={max_age}", "HttpOnly"]
    if in_frames and get_settings().frame_ancestors and not local:
        parts += ["Secure", "SameSite=None", "Partitioned"]
    else:
        parts += [] if local else ["Secure"]
        parts.append("SameSite=Lax")
    return "; ".join(parts)


# --- sign-in and sign-out -------------------------------------------------------

@area.route("GET", SIGN_IN_PATH, role=PUBLIC, summary="The desk's sign-in page", media=HTML_MEDIA,
            query=("next", "signedout"))
def sign_in_page():
    params = query(area.request)
    note = "You are signed out." if params.get("signedout") else ""
    return _sign_in_page(_safe_next(params.get("next")), note=note)


def _sign_in_page(next_path: str, status: int = 200, **said: str) -> Response:
    from chalicelib.services.access import oidc
    settings = get_settings()
    return _page(views.sign_in_page(next_path, sso=oidc.enabled(settings), keys=settings.desk_key_signin, **said),
                 status)


@area.route("POST", SIGN_IN_PATH, role=PUBLIC, summary="Sign in with a personal key (sets the session cookie)",
            ok=303, media=HTML_MEDIA, errors=(400, 401, 403), request_media=FORM_MEDIA, headers=("Location", "Set-Cookie"))
def sign_in():
    from chalicelib.services.access import sessions
    request = area.request
    form = form_body(request)
    check_same_origin(request)
    next_path = _safe_next(form.get("next"))
    if not get_settings().desk_key_signin:
        return _sign_in_page(next_path, 403, problem="signing in with a key is turned off here: "
                                                     "sign in with your company account")
    try:
        session, cookie = sessions.sign_in(form.get("key") or "")
    except Unauthorized as refused:
        return _sign_in_page(next_path, 401, problem=refused.message)
    if not may(session.role, AGENT):
        return _sign_in_page(next_path, 403, problem="the desk needs an agent or admin key")
    return _signed_in(session, cookie, next_path)


def _signed_in(session: Any, cookie: str, next_path: str) -> Response:
    lifetime = session.expires - int(time.time())
    return Response(body="", status_code=303,
                    headers={"Location": public.url(next_path), "Set-Cookie": _cookie(cookie, lifetime)})


def _flow_cookie(value: str, max_age: int) -> str:
    """The single sign-on flow's cookie: scoped to its callback, always
    ``SameSite=Lax`` (the provider's redirect back is a top-level navigation)."""
    from chalicelib.services.access import oidc
    return _cookie(value, max_age, name=oidc.FLOW_COOKIE, path="/desk/sso", in_frames=False)


@area.route("GET", "/desk/sso", role=PUBLIC, summary="Sign in with the company's identity provider (OpenID Connect)",
            ok=303, media="", errors=(400, 404, 503), query=("next",), headers=("Location", "Set-Cookie"))
def sso_start():
    from chalicelib.services.access import oidc
    if not oidc.enabled():
        raise NotFound("single sign-on is not set up here (CIM_OIDC_ISSUER, CIM_OIDC_CLIENT_ID)")
    url, flow = oidc.start(public.url("/desk/sso/callback"), _safe_next(query(area.request).get("next")))
    return Response(body="", status_code=303, headers={"Location": url,
                                                       "Set-Cookie": _flow_cookie(flow, oidc.FLOW_SECONDS)})


@area.route("GET", "/desk/sso/callback", role=PUBLIC, summary="Where the identity provider sends the agent back",
            ok=303, media=HTML_MEDIA, errors=(400, 401, 403, 404, 503), headers=("Location", "Set-Cookie"),
            query=("code", "state", "error", "error_description", "iss", "session_state"))
def sso_callback():
    from chalicelib.services.access import oidc, sessions
    if not oidc.enabled():
        raise NotFound("single sign-on is not set up here (CIM_OIDC_ISSUER, CIM_OIDC_CLIENT_ID)")
    params = query(area.request)
    next_path = "/desk"
    try:
        flow = oidc.flow_of(http.cookie(area.request, oidc.FLOW_COOKIE), params.get("state"))
        next_path = _safe_next(flow["x"])
        if params.get("error"):
            said = (params.get("error_description") or params["error"])[:200]
            raise Unauthorized(f"the identity provider did not sign you in: {said}")
        agent = oidc.finish(params.get("code") or "", public.url("/desk/sso/callback"), flow)
    except (Unauthorized, Invalid) as refused:
        return _sign_in_page(next_path, 401, problem=refused.message)
    except Forbidden as refused:
        return _sign_in_page(next_path, 403, problem=refused.message)
    session, cookie = sessions.sign_in_agent(agent)
    # The flow's cookie is left to expire: its code is spent at the provider.
    return _signed_in(session, cookie, next_path)


@area.route("POST", "/desk/signout", role=AGENT, session=True, summary="Sign out (every session of this key)",
            ok=303, also_ok=(200,), media=HTML_MEDIA, errors=(401, 403), request_media=FORM_MEDIA, headers=("Location", "Set-Cookie"))
def sign_out():
    from chalicelib.services.access import oidc, sessions
    sessions.sign_out(area.session)
    signed_out = public.url(f"{SIGN_IN_PATH}?signedout=1")
    if sessions.is_sso(area.session) and oidc.enabled():
        # The provider's session too, where it offers RP-initiated logout.
        ending = oidc.end_session_url(signed_out)
        if ending:  # a page that moves on (a form's redirect to another site is refused by the form-action policy)
            return _page(views.leaving_for_provider_page(ending), headers={"Set-Cookie": _cookie("", 0)})
    return _see_other(SIGN_IN_PATH, {"signedout": "1"}, {"Set-Cookie": _cookie("", 0)})


# --- search --------------------------------------------------------------------

def _guess_terms(q: str) -> dict[str, str] | None:
    """What a free search box means: an e-mail, a phone number (or its last
    digits: "1010", "555-1010"), or a name (None)."""
    if callers.is_address(q):
        return {"email": q}
    digits = sum(ch.isdigit() for ch in q)
    if digits >= 4 and all(ch.isdigit() or ch in "+-() ./" for ch in q):
        return {"phone": q}
    return None


def _field_terms(field: str, q: str, searchable: list[Any]) -> dict[str, str]:
    """"Search in" an attribute: a text attribute by what its value begins
    with (agents type "AC-10" for AC-1001; an exact value comes first), any
    other by its value."""
    begins = any(a.key == field and a.type in BEGINNING_TYPES for a in searchable) and not q.endswith("*")
    return {field: q + "*" if begins and len(q) >= MIN_BEGINNING else q}


@area.route("GET", "/desk", role=AGENT, session=True, summary="Search contacts; without a search, my follow-ups",
            media=HTML_MEDIA, query=("q", "field", "cursor", "done"))
def search():
    from chalicelib.services.contacts import contacts, followups, recents
    from chalicelib.services.schema import schema
    params = query(area.request)
    q, field, cursor = (params.get("q") or "").strip(), params.get("field") or "", params.get("cursor")
    searchable = [a for a in schema.attributes() if a.searchable and not a.core]
    found, next_cursor, problem = None, None, ""
    if q:
        try:
            terms = _field_terms(field, q, searchable) if field else _guess_terms(q)
            if terms is None:
                found, next_cursor = contacts.by_name_filled(q, SEARCH_PAGE, cursor)
            else:
                found, next_cursor = contacts.search(terms, SEARCH_PAGE, cursor)
        except Invalid as refused:
            found, problem = None, refused.message
    status = 400 if problem else 200
    mine = lately = None
    if not q:  # the home page: what is promised, and whom the agent saw last
        mine = followups.listing("me", "open", None, HOME_FOLLOWUPS, None).items
        lately = recents.recent(_agent())
    return _page(views.search_page(area.session, q, field, searchable, found, next_cursor, problem,
                                   followups=mine, recent=lately,
                                   notice="Follow-up done." if params.get("done") else ""), status)


# --- the card, its history, its files ------------------------------------------

def _card(shown: Any, merge_id: str = "") -> Response:
    from chalicelib.services.calls import attachments
    origin = attachments.upload_origin()
    body = views.card_page(area.session, shown.contact, shown.attributes, shown.calls, shown.calls_cursor,
                           shown.files, note=shown.note, upload_target=origin, notes=shown.notes,
                           followups=shown.followups, duplicates=shown.duplicates, merge_id=merge_id,
                           merges=shown.merges)
    return _page(body, form_targets=(origin,))


@area.route("GET", "/desk/contacts/{contact_id}", role=AGENT, session=True, summary="A contact's card",
            media=HTML_MEDIA, errors=(400, 404),
            query=("saved", "uploaded", "noted", "promised", "done", "merged", "unmerged", "key", "bucket", "etag"))
def card(contact_id):
    from chalicelib.services.calls import attachments
    from chalicelib.services.contacts import cards, recents
    params = query(area.request)
    note = next((text for flag, text in CARD_NOTICES if params.get(flag)), "")
    if params.get("uploaded") and params.get("key"):  # S3's redirect after the upload names the file
        attachments.mark_stored(params["key"])
    try:
        shown = cards.card(contact_id, note, with_duplicates=True)
    except Merged as merged:  # an old link or bookmark: the card it was merged into
        return _see_other(f"/desk/contacts/{merged.details['merged_into']}")
    recents.opened(_agent(), shown.contact.id)  # for the home page's "Recent contacts"
    merge_id = params.get("merged") or ""
    return _card(shown, merge_id if is_id(merge_id) else "")


@area.route("GET", "/desk/contacts/{contact_id}/version", role=AGENT, session=True,
            summary="Where the contact stands (an open card or edit form asks, to notice a change)",
            response=ContactVersion, errors=(400, 404, 409))
def contact_version(contact_id):
    from chalicelib.services.contacts import contacts
    contact = contacts.get(contact_id)
    return to_response(ContactVersion(id=contact.id, version=contact.version, updated_at=contact.updated_at))


@area.route("GET", "/desk/merge", role=AGENT, session=True, summary="Two records of one person: choose what to keep",
            media=HTML_MEDIA, errors=(400, 404, 409), query=("survivor", "merged"))
def merge_form():
    from chalicelib.services.contacts import contacts, merges
    from chalicelib.services.schema import schema
    params = query(area.request)
    survivor_id, merged_id = params.get("survivor") or "", params.get("merged") or ""
    preview = merges.preview(survivor_id, merged_id)
    return _page(views.merge_page(area.session, contacts.get(survivor_id), contacts.get(merged_id),
                                  schema.attributes(), preview))


def _merge_choices(form: dict[str, str], _path: dict[str, str]) -> dict[str, Any]:
    """The merge form: the two records, and whose value each ``keep_<field>`` keeps."""
    chosen = {key.removeprefix("keep_"): who for key, who in form.items() if key.startswith("keep_")}
    return {"survivor_id": form.get("survivor", ""), "merged_ids": [form.get("merged", "")], "fields": chosen}


@area.route("POST", "/desk/merge", role=AGENT, session=True, summary="Merge two records (the choices of the form)",
            ok=303, media=HTML_MEDIA, errors=(400, 403, 404, 409), request=MergeRequest, request_media=FORM_MEDIA,
            reads=_merge_choices, headers=("Location",))
def merge(body: MergeRequest):
    from chalicelib.services.contacts import merges
    made = merges.merge(body)
    return _see_other(f"/desk/contacts/{made.contact.id}", {"merged": made.merge_id})


@area.route("POST", "/desk/merges/{merge_id}/undo", role=AGENT, session=True, summary="Undo a merge from the card",
            ok=303, media=HTML_MEDIA, errors=(400, 403, 404, 409, 410), request_media=FORM_MEDIA, headers=("Location",))
def undo_merge(merge_id):
    from chalicelib.services.contacts import merges
    form_body(area.request)  # with its CSRF check
    undone = merges.undo(merge_id)
    return _see_other(f"/desk/contacts/{undone.contact.id}", {"unmerged": "1"})


def _promised(form: dict[str, str], path: dict[str, str]) -> dict[str, Any]:
    """The card's follow-up form: a local date and time; a callback unless it says otherwise."""
    due = _due(form.get("due_date", ""), form.get("due_time") or "09:00")
    return {"contact_id": path["contact_id"], "due_at": due, "note": form.get("note", ""),
            "kind": form.get("kind") or "callback"}


@area.route("POST", "/desk/contacts/{contact_id}/followups", role=AGENT, session=True,
            summary="Promise a callback or a task from the card", ok=303, media=HTML_MEDIA, errors=(400, 403, 404),
            request=FollowupRequest, request_media=FORM_MEDIA, reads=_promised, headers=("Location",))
def promise(contact_id, body: FollowupRequest):
    from chalicelib.services.contacts import followups
    followups.create(body)
    return _see_other(f"/desk/contacts/{contact_id}", {"promised": "1"})


def _due(day: str, time_of_day: str) -> str:
    """The form's date and time, read in the desk's time zone, as a UTC instant
    ("" when no date was given: the follow-up's own check names it)."""
    if not day:
        return ""
    try:
        local = datetime.fromisoformat(f"{day}T{time_of_day}").replace(tzinfo=views.desk_zone())
    except ValueError:
        raise Invalid(f"due_date: {day} {time_of_day} is not a date and time") from None
    return iso(local)


@area.route("POST", "/desk/followups/{followup_id}/done", role=AGENT, session=True,
            summary="Mark a follow-up done from the card or the home page", ok=303, media=HTML_MEDIA,
            errors=(400, 403, 404, 409), request_media=FORM_MEDIA, headers=("Location",))
def followup_done(followup_id):
    from chalicelib.services.contacts import followups
    form = form_body(area.request)  # with its CSRF check
    done = followups.done(followup_id)
    back = "/desk" if form.get("back") == "home" else f"/desk/contacts/{done.contact_id}"
    return _see_other(back, {"done": "1"})


@area.route("POST", "/desk/contacts/{contact_id}/notes", role=AGENT, session=True,
            summary="Add a note from the card", ok=303, media=HTML_MEDIA, errors=(400, 403, 404),
            request=NoteRequest, request_media=FORM_MEDIA, headers=("Location",))
def add_note(contact_id, body: NoteRequest):
    from chalicelib.services.contacts import notes as contact_notes
    contact_notes.add(contact_id, body)
    return _see_other(f"/desk/contacts/{contact_id}", {"noted": "1"})


@area.route("GET", "/desk/contacts/{contact_id}/history", role=AGENT, session=True,
            summary="A contact's calls, newest first", media=HTML_MEDIA, errors=(400, 404), query=("cursor",))
def history(contact_id):
    from chalicelib.services.contacts import cards
    contact, calls, cursor = cards.history(contact_id, query(area.request).get("cursor"))
    return _page(views.history_page(area.session, contact, calls, cursor))


@area.route("GET", "/desk/calls/{call_Id}", role=AGENT, session=True, summary="One call's tree", media=HTML_MEDIA,
            errors=(400, 404), query=("wrapped", "noted"))
def call(call_Id):  # noqa: N803 - the CIM API's name
    from chalicelib.services.calls import interactions, wrapups
    params = query(area.request)
    note = "Wrapped up." if params.get("wrapped") else "Note saved." if params.get("noted") else ""
    return _page(views.call_page(area.session, interactions.get(call_Id), wrapups.codes().codes, note))


@area.route("POST", "/desk/calls/{call_Id}/notes", role=AGENT, session=True,
            summary="Add a note to the call from its page", ok=303, media=HTML_MEDIA, errors=(400, 403, 404, 409),
            request=NoteRequest, request_media=FORM_MEDIA, headers=("Location",))
def add_call_note(call_Id, body: NoteRequest):  # noqa: N803
    from chalicelib.services.calls import interactions
    interactions.add_note(call_Id, body)
    return _see_other(f"/desk/calls/{call_Id}", {"noted": "1"})


@area.route("POST", "/desk/calls/{call_Id}/wrapup", role=AGENT, session=True,
            summary="Close the call with a wrap-up code from its page", ok=303, media=HTML_MEDIA,
            errors=(400, 403, 404), request=WrapupRequest, request_media=FORM_MEDIA, headers=("Location",))
def wrap_up(call_Id, body: WrapupRequest):  # noqa: N803
    from chalicelib.services.calls import wrapups
    wrapups.wrap_up(call_Id, body)
    return _see_other(f"/desk/calls/{call_Id}", {"wrapped": "1"})


def _file_of_card(sent: Any, path: dict[str, str]) -> dict[str, Any]:
    """The file the page's script describes, for the card it is on."""
    described = sent if isinstance(sent, dict) else {}
    return {k: described.get(k) for k in ("fileName", "mimeType", "size")} | {"contact_id": path["contact_id"]}


@area.route("POST", "/desk/contacts/{contact_id}/attachments", role=AGENT, session=True,
            summary="A presigned upload for the card's file (the page's script posts it to S3)", ok=201,
            request=AttachmentRequest, reads=_file_of_card, response=AttachmentCreated, errors=(400, 403, 404, 413),
            request_headers=("X-CSRF-Token",))
def upload(contact_id, body: AttachmentRequest):
    from chalicelib.services.calls import attachments
    back = views.desk_url(f"/desk/contacts/{contact_id}", {"uploaded": "1"})
    return to_response(attachments.create(body, redirect=back), status=201)


# --- edit ----------------------------------------------------------------------

@area.route("GET", "/desk/contacts/{contact_id}/edit", role=AGENT, session=True, summary="The edit form",
            media=HTML_MEDIA, errors=(400, 404))
def edit_form(contact_id):
    from chalicelib.services.contacts import contacts
    from chalicelib.services.schema import schema
    contact = contacts.get(contact_id)
    return _page(views.edit_page(area.session, contact, schema.attributes(), contact.model_dump(), contact.version))


@area.route("POST", "/desk/contacts/{contact_id}", role=AGENT, session=True,
            summary="Save the edit form (at the version it was read at)", ok=303, media=HTML_MEDIA,
            errors=(400, 403, 404, 409, 412), request_media=FORM_MEDIA, headers=("Location",))
def save(contact_id):
    from chalicelib.services.contacts import cards, contacts
    from chalicelib.services.schema import schema
    form = form_body(area.request)
    attributes = schema.attributes()
    mine = views.changed_in_form(form, attributes)
    version = form.get("version", "")
    if not version.isdigit() or len(version) > 12:
        raise Invalid("version: the form lost the version it was read at; open the contact again")
    if not mine:
        return _see_other(f"/desk/contacts/{contact_id}", {"saved": "1"})
    try:
        # Three-way: only what this agent changed is written; what another
        # agent saved meanwhile stays, unless both changed the same field.
        cards.save_form(contact_id, mine, int(version))
    except PreconditionFailed as stale:
        now = contacts.get(contact_id)
        stored = now.model_dump()
        both = set(stale.details.get("conflicts") or mine)
        conflicts = [(a, stored.get(a.key), mine[a.key]) for a in attributes if a.key in both and a.key in mine]
        body = views.edit_page(area.session, now, attributes, stored | mine, now.version, base=stored,
                               conflicts=conflicts)
        return _page(body, 409)
    except DomainError as refused:
        if isinstance(refused, NotFound):
            raise
        current = contacts.get(contact_id)
        body = views.edit_page(area.session, current, attributes, current.model_dump() | mine, int(version),
                               base=views.read_with(form) or current.model_dump(), problem=refused.message)
        return _page(body, 400 if isinstance(refused, Invalid) else 409)
    return _see_other(f"/desk/contacts/{contact_id}", {"saved": "1"})


# --- new contacts --------------------------------------------------------------

def _new_form(form: Any, status: int = 200) -> Response:
    body = views.new_contact_page(area.session, form.attributes, form.values, form.token, caller=form.caller,
                                  problem=form.problem, duplicates=form.duplicates)
    return _page(body, status)


@area.route("GET", "/desk/new", role=AGENT, session=True, summary="The new-contact form", media=HTML_MEDIA,
            query=("caller",))
def new_contact_form():
    from chalicelib.services.contacts import cards
    caller = (query(area.request).get("caller") or "").strip()[:64]
    return _new_form(cards.new_caller(caller, cards.DESK_FORM))


@area.route("POST", "/desk/contacts", role=AGENT, session=True,
            summary="Create a contact from the form (once per form, however often it is sent)", ok=303,
            media=HTML_MEDIA, errors=(400, 403, 409), request_media=FORM_MEDIA, headers=("Location",))
def create():
    from chalicelib.services.contacts import cards
    from chalicelib.services.schema import schema
    form = form_body(area.request)
    sent = cards.sent_form(form, cards.DESK_FORM)
    fields = views.form_fields(form, schema.attributes(), creating=True)
    # First the form is refused while another contact may be this person;
    # the page shows them, and "Save anyway" sends it again to be saved.
    if_duplicate = "warn" if form.get("save_anyway") else "refuse"
    try:
        contact = cards.create_from_form(sent, fields, if_duplicate)
    except PossibleDuplicate as found:
        return _new_form(cards.new_caller(sent.caller, cards.DESK_FORM, fields, "",
                                          found.details["possible_duplicates"]), 409)
    except (Invalid, PreconditionFailed) as refused:
        return _new_form(cards.new_caller(sent.caller, cards.DESK_FORM, fields, refused.message), 400)
    return _see_other(f"/desk/contacts/{contact.id}", {"saved": "1"})


# --- screen pop ----------------------------------------------------------------

@area.route("GET", "/desk/pop", role=AGENT, session=True,
            summary="Screen pop by URL template: the caller's card, a chooser, or the new-caller form",
            media=HTML_MEDIA, errors=(400,), query=("ani",), call_variables=True)
def pop():
    from chalicelib.services.contacts import cards
    params = query(area.request)
    ani = (params.get("ani") or "").strip()
    shown = cards.pop(ani, {k: v for k, v in params.items() if k != "ani"}, cards.DESK_FORM)
    if isinstance(shown, cards.Card):
        return _card(shown)
    if isinstance(shown, cards.Chooser):
        return _page(views.chooser_page(area.session, shown.ani, shown.candidates, shown.last_calls, shown.telling))
    return _new_form(shown)
