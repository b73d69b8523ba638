"""Screen pop: ``POST /screenpop/link`` (with a key) gives a signed, short-lived
``/screenpop?...`` URL that a browser tab or iframe opens without a key: the
caller's card; a chooser when several callers share the number; a
new-contact form with the number filled in when nobody has it
(``POST /screenpop/contacts`` creates the contact and shows its card)."""
from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from urllib.parse import parse_qs

from chalice import Response

from chalicelib.api.http import json_body, query, raw_body, render
from chalicelib.api.pages import definition_list, html_response, link, page
from chalicelib.api.routing import HTML_MEDIA, Area
from chalicelib.core import public
from chalicelib.core.clock import iso
from chalicelib.core.errors import Forbidden, Invalid
from chalicelib.core.ids import check_id
from chalicelib.core.lazy import lazy
from chalicelib.core.roles import IVR, PUBLIC
from chalicelib.models.common import parse
from chalicelib.models.contact import NAME_FIELDS, Contact, ContactFields
from chalicelib.models.lookup import LookupRequest
from chalicelib.models.screenpop import NewCallerForm, ScreenPopLink, ScreenPopLinkRequest

contacts = lazy("chalicelib.services.contacts.contacts")
links = lazy("chalicelib.services.access.links")
lookup = lazy("chalicelib.services.contacts.lookup")
newcaller = lazy("chalicelib.services.contacts.newcaller")
schema = lazy("chalicelib.services.schema.schema")

area = Area(__name__, "Screen pop")
bp = area.blueprint
FORM = "application/x-www-form-urlencoded"
FORM_FIELDS = (*NAME_FIELDS, "phone1", "email")


def card(contact: Contact, note: str = "") -> str:
    data = contact.model_dump()
    rows = [(a.label, data.get(a.key)) for a in schema.attributes() if data.get(a.key) not in (None, "", [])]
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p) or "(no name)"
    return page(name, (
        f"<h1>{escape(name)}</h1><p class=\"sub\">{escape(note)}"
        f"<span class=\"badge\">contact {escape(contact.id)}</span></p>"
        f"<section class=\"card\" id=\"contact\">{definition_list(rows)}</section>"
    ))


def chooser(ani: str, found: list[Contact]) -> str:
    items = "".join(
        "<li>" + link(public.url("/screenpop"), links.sign({"contact_id": c.id}),
                      " ".join(p for p in (c.first_name, c.last_name) if p) or c.id)
        + f" <span class=\"sub\">{escape(c.email or '')}</span></li>"
        for c in found)
    return page("Several callers", (
        f"<h1>Several callers share this number</h1><p class=\"sub\">{escape(ani)}: choose the caller</p>"
        f"<section class=\"card\"><ul class=\"choices\" id=\"choices\">{items}</ul></section>"
    ))


def new_contact_form(ani: str) -> str:
    token = links.sign({"form": "new-contact", "caller": ani}, seconds=newcaller.FORM_SECONDS)
    hidden = "".join(f"<input type=\"hidden\" name=\"{k}\" value=\"{escape(v, quote=True)}\">"
                     for k, v in token.items())
    inputs = hidden + "".join(
        f"<label for=\"{key}\">{escape(label)}</label>"
        f"<input id=\"{key}\" name=\"{key}\" value=\"{escape(value, quote=True)}\">"
        for key, label, value in (("first_name", "First name", ""), ("last_name", "Last name", ""),
                                  ("phone1", "Phone", ani), ("email", "E-mail", "")))
    return page("New caller", (
        f"<h1>New caller</h1><p class=\"sub\">No contact has the number {escape(ani)}</p>"
        f"<section class=\"card\"><form method=\"post\" action=\"{escape(public.url('/screenpop/contacts'))}\" "
        f"id=\"new-contact\">"
        f"{inputs}<button type=\"submit\">Save contact</button></form></section>"
    ))


@area.route("POST", "/screenpop/link", role=IVR, summary="A signed screen-pop URL", request=ScreenPopLinkRequest,
            response=ScreenPopLink, example={"ani": "+14155550100"})
def screenpop_link():
    data = json_body(area.request)
    wanted = {k: data[k] for k in ("ani", "contact_id") if isinstance(data.get(k), str) and data[k]}
    if len(wanted) != 1:
        raise Invalid("give exactly one of ani or contact_id (a string)")
    if "contact_id" in wanted:
        check_id(wanted["contact_id"], "contact_id")
    # The link carries what a lookup would take: the same limits apply.
    asked = parse(LookupRequest, {"ani": wanted.get("ani"), "callVariables": data.get("callVariables") or {}})
    signed = links.sign(wanted | asked.callVariables)
    return render({"url": public.url(f"/screenpop?{links.query(signed)}"), "expiresAt": iso(datetime.fromtimestamp(int(signed[links.EXPIRY]), UTC))})


# Public: a browser cannot send a key; the link's signature is the credential.
@area.route("GET", "/screenpop", role=PUBLIC, summary="The screen pop page (signed link)", media=HTML_MEDIA,
            errors=(400, 403, 404), query=("ani", "contact_id", "exp", "sig"), call_variables=True)
def screenpop():
    params = links.verify(query(area.request))
    if params.get("contact_id"):
        check_id(params["contact_id"], "contact_id")
        return html_response(card(contacts.get(params["contact_id"])))
    if not params.get("ani"):
        raise Invalid("give ?ani=<caller number> or ?contact_id=<id>")
    variables = {k: v for k, v in params.items() if k not in ("ani", "contact_id")}
    asked = parse(LookupRequest, {"ani": params["ani"], "callVariables": variables})
    answer = lookup.lookup(asked.ani, asked.callVariables)
    if answer.match == "unique":
        return html_response(card(answer.contacts[0], note=f"Calling from {asked.ani} "))
    if answer.match == "multiple":
        return html_response(chooser(asked.ani, answer.contacts))
    return html_response(new_contact_form(asked.ani))


# Public: the form carries the signed token it was served with.
@area.route("POST", "/screenpop/contacts", role=PUBLIC, summary="Create a contact from the screen pop form", ok=303,
            media=HTML_MEDIA, errors=(400, 403, 409), request=NewCallerForm, request_media=FORM, headers=("Location",))
def create_from_form():
    raw = raw_body(area.request).decode("utf-8", "replace")
    form = {k: v[0] for k, v in parse_qs(raw).items()}
    fields = {k: v for k, v in form.items() if k in FORM_FIELDS}
    token = links.verify({k: v for k, v in form.items() if k in ("form", "caller", links.EXPIRY, links.SIGNATURE)},
                         seconds=newcaller.FORM_SECONDS)
    if token.get("form") != "new-contact" or not token.get("caller"):
        raise Forbidden("this form is not valid")
    contact = newcaller.create_once(form[links.SIGNATURE], token["caller"], parse(ContactFields, fields))
    location = public.url(f"/screenpop?{links.query(links.sign({'contact_id': contact.id}))}")
    return Response(body="", status_code=303, headers={"Location": location})
