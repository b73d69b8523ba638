"""Screen pop: ``POST /screenpop/link`` (with a key) gives a signed, short-lived
``/screenpop?...`` URL that a browser tab or iframe opens without a key: the
caller's card; a chooser when several callers share the number; a
new-contact form with the number filled in when nobody has it
(``POST /screenpop/contacts`` creates the contact and shows its card)."""
from __future__ import annotations

from datetime import UTC, datetime

from chalice import Response

from chalicelib.api import desk_views as views
from chalicelib.api.http import form_body, json_body, query, render
from chalicelib.api.pages import html_response
from chalicelib.api.routing import FORM_MEDIA, HTML_MEDIA, Area
from chalicelib.core import public
from chalicelib.core.clock import iso
from chalicelib.core.errors import Forbidden, Invalid
from chalicelib.core.ids import check_id
from chalicelib.core.lazy import lazy
from chalicelib.core.roles import AGENT, PUBLIC
from chalicelib.domain import callers
from chalicelib.models.common import parse
from chalicelib.models.contact import Contact, ContactFields
from chalicelib.models.lookup import LookupRequest
from chalicelib.models.screenpop import NewCallerForm, ScreenPopLink, ScreenPopLinkRequest

attachments = lazy("chalicelib.services.calls.attachments")
cards = lazy("chalicelib.services.contacts.cards")
contacts = lazy("chalicelib.services.contacts.contacts")
interactions = lazy("chalicelib.services.calls.interactions")
links = lazy("chalicelib.services.access.links")
lookup = lazy("chalicelib.services.contacts.lookup")
newcaller = lazy("chalicelib.services.contacts.newcaller")
schema = lazy("chalicelib.services.schema.schema")

area = Area(__name__, "Screen pop")
bp = area.blueprint


def _signed(contact: Contact) -> str:
    return public.url(f"/screenpop?{links.query(links.sign({'contact_id': contact.id}))}")


def card(contact: Contact, note: str = "") -> Response:
    """The caller's card, read-only: every schema attribute, recent calls, files."""
    calls, _ = interactions.history(contact.id, cards.CALLS_ON_CARD, None, known=True)
    files = attachments.of_contact(contact.id, known=True)
    return html_response(views.card_page(None, contact, schema.attributes(), calls, None, files, note=note))


def chooser(ani: str, found: list[Contact]) -> Response:
    """What tells same-number candidates apart: numbers, e-mail, last call, a mapped attribute."""
    last = interactions.last_calls(ani, [c.id for c in found])
    return html_response(views.chooser_page(None, ani, found, last, cards.telling_attributes(), href=_signed))


def new_contact_form(ani: str) -> Response:
    """Every schema attribute, the number filled in; the form's signed token makes it work once."""
    token = links.sign({"form": "new-contact", "caller": ani}, seconds=newcaller.FORM_SECONDS)
    values = callers.prefilled(ani)
    return html_response(views.new_contact_page(None, schema.attributes(), values, token, caller=ani,
                                                action="/screenpop/contacts"))


@area.route("POST", "/screenpop/link", role=AGENT, summary="A signed screen-pop URL", request=ScreenPopLinkRequest,
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
    return render(ScreenPopLink(url=public.url(f"/screenpop?{links.query(signed)}"),
                                expiresAt=iso(datetime.fromtimestamp(int(signed[links.EXPIRY]), UTC))))


# Public: a browser cannot send a key; the link's signature is the credential.
@area.route("GET", "/screenpop", role=PUBLIC, summary="The screen pop page (signed link)", media=HTML_MEDIA,
            errors=(400, 403, 404), query=("ani", "contact_id", "exp", "sig"), call_variables=True)
def screenpop():
    params = links.verify(query(area.request))
    if params.get("contact_id"):
        check_id(params["contact_id"], "contact_id")
        return card(contacts.get(params["contact_id"]))
    if not params.get("ani"):
        raise Invalid("give ?ani=<caller number> or ?contact_id=<id>")
    variables = {k: v for k, v in params.items() if k not in ("ani", "contact_id")}
    asked = parse(LookupRequest, {"ani": params["ani"], "callVariables": variables})
    answer = lookup.lookup(asked.ani, asked.callVariables)
    if answer.match == "unique":
        return card(answer.contacts[0], note=f"Calling from {asked.ani}")
    if answer.match == "multiple":
        return chooser(asked.ani, answer.contacts)
    return new_contact_form(asked.ani)


# Public: the form carries the signed token it was served with.
@area.route("POST", "/screenpop/contacts", role=PUBLIC, summary="Create a contact from the screen pop form", ok=303,
            media=HTML_MEDIA, errors=(400, 403, 409), request=NewCallerForm, request_media=FORM_MEDIA, headers=("Location",))
def create_from_form():
    form = form_body(area.request)
    fields = views.form_fields(form, schema.attributes(), creating=True)
    token = links.verify({k: v for k, v in form.items() if k in ("form", "caller", links.EXPIRY, links.SIGNATURE)},
                         seconds=newcaller.FORM_SECONDS)
    if token.get("form") != "new-contact" or not token.get("caller"):
        raise Forbidden("this form is not valid")
    contact = newcaller.create_once(form.get(links.SIGNATURE, ""), token["caller"], parse(ContactFields, fields))
    return Response(body="", status_code=303, headers={"Location": _signed(contact)})
