"""Contacts: the CIM routes (``/saveContact``, ``/getContactList``,
``/contacts/...``) and their resource-style twins (``GET/POST /contacts``)."""
from __future__ import annotations

from urllib.parse import unquote

from chalice import Blueprint

from chalicelib.api.http import (
    body_version,
    endpoint,
    if_match,
    json_body,
    page_params,
    query,
    render,
    render_list,
    render_page,
)
from chalicelib.errors import Invalid, TooLarge
from chalicelib.lazy import lazy
from chalicelib.models.common import parse
from chalicelib.models.contact import Contact, ContactFields

bulk = lazy("chalicelib.services.bulk")
contacts = lazy("chalicelib.services.contacts")

bp = Blueprint(__name__)
BULK_MAX = 100

# GET /contacts?phone=&email=&name=... filters; any other query key is paging.
SEARCH_PARAMS = ("phone", "phone1", "phone2", "email", "name", "first_name", "last_name")


def _etag(contact: Contact) -> dict[str, str]:
    return {"ETag": f'"{contact.version}"'}


def _create() -> Contact:
    return contacts.create(parse(ContactFields, json_body(bp.current_request)))


@bp.route("/saveContact", methods=["POST"])
@endpoint
def save_contact():
    contact = _create()
    return render(contact, headers=_etag(contact))


@bp.route("/contacts", methods=["POST"])
@endpoint
def create_contact():
    contact = _create()
    return render(contact, status=201, headers=_etag(contact) | {"Location": f"/contacts/{contact.id}"})


@bp.route("/getContactList", methods=["GET"])
@endpoint
def get_contact_list():
    return render_list(*contacts.list_page(*page_params(bp.current_request)))


@bp.route("/contacts", methods=["GET"])
@endpoint
def list_contacts():
    request = bp.current_request
    limit, cursor = page_params(request)
    terms = {k: v for k, v in query(request).items() if k in SEARCH_PARAMS}
    if not terms:
        return render_page(*contacts.list_page(limit, cursor))
    if list(terms) == ["name"]:
        return render_page(*contacts.by_name(terms["name"], limit, cursor))
    return render_page(*contacts.search(terms, limit, cursor))


@bp.route("/contacts/{contact_id}", methods=["GET"])
@endpoint
def get_contact(contact_id):
    contact = contacts.get(contact_id)
    return render(contact, headers=_etag(contact))


@bp.route("/contacts/{contact_id}", methods=["PUT"])
@endpoint
def update_contact(contact_id):
    request = bp.current_request
    data = json_body(request)
    if "id" in data and data["id"] != contact_id:
        raise Invalid(f"id: the body names {data['id']!r} but the path names {contact_id!r}")
    header, in_body = if_match(request), body_version(data)
    if header is not None and in_body is not None and header != in_body:
        raise Invalid(f"version: If-Match says {header} but the body says {in_body}")
    expected = header if header is not None else in_body
    contact = contacts.update(contact_id, parse(ContactFields, data), expected)
    return render(contact, headers=_etag(contact))


@bp.route("/contacts/{contact_id}", methods=["DELETE"])
@endpoint
def delete_contact(contact_id):
    return render(contacts.delete(contact_id, if_match(bp.current_request)))


@bp.route("/contacts/getContactByName/{name}", methods=["GET"])
@endpoint
def get_contact_by_name(name):
    limit, cursor = page_params(bp.current_request)
    # API Gateway decodes path parameters, ``chalice local`` does not; name
    # words never contain "%", so decoding again is harmless.
    return render_list(*contacts.by_name(unquote(name), limit, cursor))


@bp.route("/contacts/getContactsBySearchTerms", methods=["POST"])
@endpoint
def get_contacts_by_search_terms():
    request = bp.current_request
    limit, cursor = page_params(request)
    return render_list(*contacts.search(json_body(request), limit, cursor))


@bp.route("/contacts/loadMore/{last_id}", methods=["GET"])
@endpoint
def load_more(last_id):
    limit, _ = page_params(bp.current_request)
    return render_list(*contacts.load_more(last_id, limit))


@bp.route("/contacts/bulk", methods=["POST"])
@endpoint
def create_contacts_in_bulk():
    data = json_body(bp.current_request)
    items = data.get("contacts")
    if not isinstance(items, list) or not items:
        raise Invalid("contacts: a non-empty list of contacts is required")
    if len(items) > BULK_MAX:
        raise TooLarge(f"contacts: at most {BULK_MAX} a request")
    results = []
    for result in bulk.create_many(items):
        if result.contact is not None:
            results.append({"index": result.index, "outcome": result.outcome, "id": result.contact.id,
                            "contact": result.contact.model_dump(mode="json")})
        else:
            results.append({"index": result.index, "outcome": result.outcome,
                            "Code": result.error.code, "Message": result.error.message})
    created = sum(1 for r in results if r["outcome"] == "created")
    return render({"results": results, "created": created, "rejected": len(results) - created})
