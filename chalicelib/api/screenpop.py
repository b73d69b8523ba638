"""Screen pop: ``POST /screenpop/link`` (with a key) gives a signed, short-lived
``/screenpop?...`` URL that a browser tab or iframe opens without a key: the
caller's card; a chooser when several callers share the number; a
new-contact form with the number filled in when nobody has it
(``POST /screenpop/contacts`` creates the contact and shows its card)."""
from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, json_body, query, render
from chalicelib.api.pages import definition_list, link, page
from chalicelib.errors import DomainError, Forbidden, Invalid, NotFound
from chalicelib.lazy import lazy
from chalicelib.models.common import parse
from chalicelib.models.contact import Contact, ContactFields
from chalicelib.models.lookup import LookupRequest
from chalicelib.settings import get_settings

contacts = lazy("chalicelib.services.contacts")
links = lazy("chalicelib.services.links")
lookup = lazy("chalicelib.services.lookup")
schema = lazy("chalicelib.services.schema")

bp = Blueprint(__name__)
HTML = {"Content-Type": "text/html; charset=utf-8"}
FORM = "application/x-www-form-urlencoded"


def _html(body: str, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers=dict(HTML))


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
        "<li>" + link("/screenpop", links.sign({"contact_id": c.id}),
                      " ".join(p for p in (c.first_name, c.last_name) if p) or c.id)
        + f" <span class=\"sub\">{escape(c.email or '')}</span></li>"
        for c in found)
    return page("Several callers", (
        f"<h1>Several callers share this number</h1><p class=\"sub\">{escape(ani)}: choose the caller</p>"
        f"<section class=\"card\"><ul class=\"choices\" id=\"choices\">{items}</ul></section>"
    ))


def new_contact_form(ani: str) -> str:
    token = links.sign({"form": "new-contact"})
    hidden = "".join(f"<input type=\"hidden\" name=\"{k}\" value=\"{escape(v, quote=True)}\">"
                     for k, v in token.items())
    inputs = hidden + "".join(
        f"<label for=\"{key}\">{escape(label)}</label>"
        f"<input id=\"{key}\" name=\"{key}\" value=\"{escape(value, quote=True)}\">"
        for key, label, value in (("first_name", "First name", ""), ("last_name", "Last name", ""),
                                  ("phone1", "Phone", ani), ("email", "E-mail", "")))
    return page("New caller", (
        f"<h1>New caller</h1><p class=\"sub\">No contact has the number {escape(ani)}</p>"
        f"<section class=\"card\"><form method=\"post\" action=\"/screenpop/contacts\" id=\"new-contact\">"
        f"{inputs}<button type=\"submit\">Save contact</button></form></section>"
    ))


def _problem(error: DomainError) -> Response:
    status = 404 if isinstance(error, NotFound) else 403 if isinstance(error, Forbidden) else 400
    return _html(page("Not shown", f"<h1>Cannot show this</h1><p class=\"sub\">{escape(error.message)}</p>"),
                 status)


@bp.route("/screenpop/link", methods=["POST"])
@endpoint
def screenpop_link():
    data = json_body(bp.current_request)
    wanted = {k: data[k] for k in ("ani", "contact_id") if isinstance(data.get(k), str) and data[k]}
    if len(wanted) != 1:
        raise Invalid("give exactly one of ani or contact_id (a string)")
    variables = parse(LookupRequest, {"callVariables": data.get("callVariables") or {}}).callVariables
    signed = links.sign(wanted | variables)
    base = get_settings().public_base_url.rstrip("/")
    return render({"url": f"{base}/screenpop?{links.query(signed)}", "expiresAt": int(signed[links.EXPIRY])})


@bp.route("/screenpop", methods=["GET"])
@endpoint
def screenpop():
    try:
        params = links.verify(query(bp.current_request))
    except Forbidden as error:
        return _problem(error)
    try:
        if params.get("contact_id"):
            return _html(card(contacts.get(params["contact_id"])))
        if not params.get("ani"):
            raise Invalid("give ?ani=<caller number> or ?contact_id=<id>")
        variables = {k: v for k, v in params.items() if k not in ("ani", "contact_id")}
        asked = parse(LookupRequest, {"ani": params["ani"], "callVariables": variables})
        answer = lookup.lookup(asked.ani, asked.callVariables)
    except (Invalid, NotFound) as error:
        return _problem(error)
    if answer.match == "unique":
        return _html(card(answer.contacts[0], note=f"Calling from {asked.ani} "))
    if answer.match == "multiple":
        return _html(chooser(asked.ani, answer.contacts))
    return _html(new_contact_form(asked.ani))


@bp.route("/screenpop/contacts", methods=["POST"], content_types=[FORM])
@endpoint
def create_from_form():
    raw = (bp.current_request.raw_body or b"").decode("utf-8", "replace")
    form = {k: v[0] for k, v in parse_qs(raw).items()}
    fields = {k: v for k, v in form.items() if k in ("first_name", "last_name", "phone1", "email")}
    try:
        if links.verify({k: v for k, v in form.items() if k in ("form", links.EXPIRY, links.SIGNATURE)}) != {
                "form": "new-contact"}:
            raise Forbidden("this form is not valid")
        contact = contacts.create(parse(ContactFields, fields))
    except (Invalid, Forbidden) as error:
        return _problem(error)
    location = f"/screenpop?{links.query(links.sign({'contact_id': contact.id}))}"
    return Response(body="", status_code=303, headers={"Location": location})
