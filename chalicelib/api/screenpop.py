"""Screen pop: ``POST /screenpop/link`` (with a key) gives a signed, short-lived
``/screenpop?...`` URL that a browser tab or iframe opens without a key: the
caller's card; a chooser when several callers share the number; a
new-contact form with the number filled in when nobody has it
(``POST /screenpop/contacts`` creates the contact and shows its card)."""
from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api import desk_views as views
from chalicelib.api.http import form_body, query, to_response
from chalicelib.api.pages import html_response
from chalicelib.api.routing import FORM_MEDIA, HTML_MEDIA, Area
from chalicelib.core import public
from chalicelib.core.errors import Invalid
from chalicelib.core.ids import check_id
from chalicelib.core.roles import AGENT, PUBLIC
from chalicelib.models.contact import Contact
from chalicelib.models.screenpop import NewCallerForm, ScreenPopLink, ScreenPopLinkRequest

area = Area(__name__, "Screen pop")
bp = area.blueprint


def _signed(contact: Contact) -> str:
    from chalicelib.services.access import links
    return public.url(f"/screenpop?{links.query(links.sign({'contact_id': contact.id}))}")


def _shown(shown: Any) -> Response:
    """The page of a pop without a session: a read-only card, a chooser whose
    candidates are signed links, or the new-caller form posting here."""
    from chalicelib.services.contacts import cards
    if isinstance(shown, cards.Card):
        return html_response(views.card_page(None, shown.contact, shown.attributes, shown.calls, None, shown.files,
                                             note=shown.note, notes=shown.notes, followups=shown.followups))
    if isinstance(shown, cards.Chooser):
        return html_response(views.chooser_page(None, shown.ani, shown.candidates, shown.last_calls, shown.telling,
                                                href=_signed))
    return html_response(views.new_contact_page(None, shown.attributes, shown.values, shown.token,
                                                caller=shown.caller, problem=shown.problem,
                                                action="/screenpop/contacts"))


@area.route("POST", "/screenpop/link", role=AGENT, summary="A signed screen-pop URL", request=ScreenPopLinkRequest,
            response=ScreenPopLink, example={"ani": "+14155550100"})
def screenpop_link(body: ScreenPopLinkRequest):
    from chalicelib.services.contacts import cards
    return to_response(cards.pop_link(body))


# Public: a browser cannot send a key; the link's signature is the credential.
@area.route("GET", "/screenpop", role=PUBLIC, summary="The screen pop page (signed link)", media=HTML_MEDIA,
            errors=(400, 403, 404), query=("ani", "contact_id", "exp", "sig"), call_variables=True)
def screenpop():
    from chalicelib.services.access import links
    from chalicelib.services.contacts import cards
    params = links.verify(query(area.request))
    if params.get("contact_id"):
        return _shown(cards.card(check_id(params["contact_id"], "contact_id")))
    if not params.get("ani"):
        raise Invalid("give ?ani=<caller number> or ?contact_id=<id>")
    variables = {k: v for k, v in params.items() if k not in ("ani", "contact_id")}
    return _shown(cards.pop(params["ani"], variables, cards.LINK_FORM))


# Public: the form carries the signed token it was served with.
@area.route("POST", "/screenpop/contacts", role=PUBLIC, summary="Create a contact from the screen pop form", ok=303,
            media=HTML_MEDIA, errors=(400, 403, 409), request=NewCallerForm, request_media=FORM_MEDIA, headers=("Location",))
def create_from_form():
    from chalicelib.services.contacts import cards
    from chalicelib.services.schema import schema
    form = form_body(area.request)
    sent = cards.sent_form(form, cards.LINK_FORM)
    fields = views.form_fields(form, schema.attributes(), creating=True)
    contact = cards.create_from_form(sent, fields)
    return Response(body="", status_code=303, headers={"Location": _signed(contact)})
