"""Contacts: the CIM routes (``/saveContact``, ``/getContactList``,
``/contacts/...``) and their resource-style twins (``GET/POST /contacts``)."""
from __future__ import annotations

from urllib.parse import unquote

from chalicelib.api.http import (
    body_version,
    error_response,
    if_match,
    json_body,
    list_response,
    page_params,
    page_response,
    query,
    to_response,
)
from chalicelib.api.routing import Area
from chalicelib.core import public
from chalicelib.core.errors import Invalid, Merged, TooLarge
from chalicelib.core.roles import AGENT
from chalicelib.models.common import Page
from chalicelib.models.contact import (
    BulkItemResult,
    BulkRequest,
    BulkResult,
    Contact,
    ContactFields,
    CreatedContact,
    PossibleDuplicates,
)

area = Area(__name__, "Contacts")
bp = area.blueprint
BULK_MAX = 100
PAGING = ("limit", "cursor")
EXAMPLE = {"phone1": "+1 415 555 0100", "first_name": "Ann", "last_name": "Lee"}

# GET /contacts?phone=&email=&name=... (and any attribute of the schema) filters; limit and cursor page.
SEARCH_PARAMS = ("phone", "phone1", "phone2", "email", "name", "first_name", "last_name")
CHANGED_SINCE = "updated_since"


def _etag(contact: Contact) -> dict[str, str]:
    return {"ETag": f'"{contact.version}"'}


@area.route("POST", "/saveContact", role=AGENT, summary="Create a contact (with the contacts it may duplicate)",
            request=ContactFields, response=CreatedContact, errors=(400, 409, 413), example=EXAMPLE, headers=("ETag",),
            idempotent=True, request_headers=("Idempotency-Key",), query=("if_duplicate",))
def save_contact(body: ContactFields):
    from chalicelib.services.contacts import contacts
    contact = contacts.create(body, if_duplicate=_if_duplicate())
    return to_response(contact, headers=_etag(contact))


@area.route("POST", "/contacts", role=AGENT, summary="Create a contact (resource style)", ok=201,
            request=ContactFields, response=CreatedContact, errors=(400, 409, 413), example=EXAMPLE,
            headers=("ETag", "Location"), idempotent=True, request_headers=("Idempotency-Key",), query=("if_duplicate",))
def create_contact(body: ContactFields):
    from chalicelib.services.contacts import contacts
    contact = contacts.create(body, if_duplicate=_if_duplicate())
    return to_response(contact, status=201, headers=_etag(contact) | {"Location": public.url(f"/contacts/{contact.id}")})


def _if_duplicate() -> str:
    """``?if_duplicate=warn`` (the default: candidates beside the contact) or ``refuse`` (a 409, nothing written)."""
    chosen = query(area.request).get("if_duplicate") or "warn"
    if chosen not in ("warn", "refuse"):
        raise Invalid("if_duplicate: one of warn, refuse")
    return chosen


@area.route("GET", "/contacts/{contact_id}/duplicates", role=AGENT,
            summary="Contacts that may be the same person (sharing a number or address), most likely first",
            response=PossibleDuplicates, errors=(400, 404))
def contact_duplicates(contact_id):
    from chalicelib.services.contacts import duplicates
    return to_response(duplicates.of_contact(contact_id))


@area.route("GET", "/getContactList", role=AGENT, summary="Contacts, newest first", response=list[Contact],
            query=PAGING, headers=("X-Next-Cursor",))
def get_contact_list():
    from chalicelib.services.contacts import contacts
    return list_response(*contacts.list_page(*page_params(area.request)))


@area.route("GET", "/contacts", role=AGENT, summary="List or search contacts", response=Page[Contact],
            query=PAGING + SEARCH_PARAMS + (CHANGED_SINCE,))
def list_contacts():
    from chalicelib.services.contacts import contacts
    request = area.request
    limit, cursor = page_params(request)
    # Every other key is a search term: an attribute of the schema, or a 400 naming it (never ignored).
    terms = {k: v for k, v in query(request).items() if k not in PAGING}
    if not terms:
        return page_response(*contacts.list_page(limit, cursor))
    if CHANGED_SINCE in terms:
        if len(terms) > 1:
            raise Invalid(f"{CHANGED_SINCE}: give it alone (with limit and cursor), not with "
                          f"{', '.join(sorted(set(terms) - {CHANGED_SINCE}))}")
        return page_response(*contacts.changed_since(terms[CHANGED_SINCE], limit, cursor))
    if list(terms) == ["name"]:
        return page_response(*contacts.by_name_filled(terms["name"], limit, cursor))
    return page_response(*contacts.search(terms, limit, cursor))


@area.route("GET", "/contacts/{contact_id}", role=AGENT, summary="One contact (a merged one redirects to its survivor)",
            response=Contact, errors=(301, 400, 404), headers=("ETag",))
def get_contact(contact_id):
    from chalicelib.services.contacts import contacts
    try:
        contact = contacts.get(contact_id)
    except Merged as merged:
        moved = error_response(merged, status=301)
        moved.headers["Location"] = public.url(f"/contacts/{merged.details['merged_into']}")
        return moved
    return to_response(contact, headers=_etag(contact))


@area.route("PUT", "/contacts/{contact_id}", role=AGENT, summary="Update a contact (merge; If-Match or version)",
            request=ContactFields, response=Contact, errors=(400, 404, 409, 412, 413), example=EXAMPLE,
            headers=("ETag",), request_headers=("If-Match",))
def update_contact(contact_id, body: ContactFields):
    from chalicelib.services.contacts import contacts
    request = area.request
    data = json_body(request)  # as sent: the model leaves out the server's fields (id)
    if "id" in data and data["id"] != contact_id:
        raise Invalid(f"id: the body names {data['id']!r} but the path names {contact_id!r}")
    header, in_body = if_match(request), body_version(data)
    if header is not None and in_body is not None and header != in_body:
        raise Invalid(f"version: If-Match says {header} but the body says {in_body}")
    expected = header if header is not None else in_body
    contact = contacts.update(contact_id, body, expected)
    return to_response(contact, headers=_etag(contact))


@area.route("DELETE", "/contacts/{contact_id}", role=AGENT, summary="Delete a contact; answers with it",
            response=Contact, errors=(400, 404, 409, 412), request_headers=("If-Match",))
def delete_contact(contact_id):
    from chalicelib.services.contacts import contacts
    return to_response(contacts.delete(contact_id, if_match(area.request)))


@area.route("GET", "/contacts/getContactByName/{name}", role=AGENT,
            summary="Contacts whose name words the query words start", response=list[Contact], query=PAGING,
            headers=("X-Next-Cursor",))
def get_contact_by_name(name):
    from chalicelib.services.contacts import contacts
    limit, cursor = page_params(area.request)
    # API Gateway decodes path parameters, ``chalice local`` does not; name
    # words never contain "%", so decoding again is harmless.
    return list_response(*contacts.by_name_filled(unquote(name), limit, cursor))


@area.route("POST", "/contacts/getContactsBySearchTerms", role=AGENT, summary="Contacts matching every property",
            request=dict, response=list[Contact], query=PAGING, headers=("X-Next-Cursor",),
            example={"phone": "+1 415 555 0100", "first_name": "Ann"})
def get_contacts_by_search_terms(body: dict):
    from chalicelib.services.contacts import contacts
    return list_response(*contacts.search(body, *page_params(area.request)))


@area.route("GET", "/contacts/loadMore/{last_id}", role=AGENT, summary="The page after last_id",
            response=list[Contact], errors=(400, 404), query=("limit",), headers=("X-Next-Cursor",))
def load_more(last_id):
    from chalicelib.services.contacts import contacts
    limit, _ = page_params(area.request)
    return list_response(*contacts.load_more(last_id, limit))


@area.route("POST", "/contacts/bulk", role=AGENT, summary="Create up to 100 contacts; per-item results",
            request=BulkRequest, response=BulkResult, errors=(400, 413),
            example={"contacts": [EXAMPLE, {"first_name": "Bo", "phone1": "+358 40 123 4567"}]}, idempotent=True,
            request_headers=("Idempotency-Key",), per_item=True, query=("if_duplicate",))
def create_contacts_in_bulk(body: BulkRequest):
    from chalicelib.services.contacts import bulk
    items = body.contacts  # each checked alone: one bad item refuses only itself
    if len(items) > BULK_MAX:
        raise TooLarge(f"contacts: at most {BULK_MAX} a request")
    results = [BulkItemResult(index=r.index, outcome=r.outcome, id=r.contact and r.contact.id, contact=r.contact,
                              Code=r.error and r.error.code, Message=r.error and r.error.message,
                              possible_duplicates=r.duplicates or None)
               for r in bulk.create_many(items, if_duplicate=_if_duplicate())]
    created = sum(1 for r in results if r.outcome == "created")
    return to_response(BulkResult(results=results, created=created, rejected=len(results) - created))
