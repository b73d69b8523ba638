"""The OpenAPI 3.1 document, generated from the pydantic models, the route
table (``access.ROUTES``) and the operation table below. Served at
``/openapi.json`` and rendered for people at ``/docs``."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic.json_schema import models_json_schema

from chalicelib.api import access
from chalicelib.models.apikey import ApiKey, KeyRequest, NewApiKey
from chalicelib.models.attachment import Attachment, AttachmentCreated, AttachmentRequest
from chalicelib.models.common import ErrorBody, Page
from chalicelib.models.contact import Contact, ContactFields
from chalicelib.models.interaction import LegFields, LinkRequest, SaveLegRequest, Tree
from chalicelib.models.lookup import LookupAnswer, LookupRequest
from chalicelib.models.mapping import Rule, RuleFields
from chalicelib.models.schema import Attribute, AttributeFields, Job

PAGING = ("limit", "cursor")
CIM_CONTACT = {"phone1": "+1 415 555 0100", "first_name": "Ann", "last_name": "Lee"}


class Health(BaseModel):
    model_config = ConfigDict(defer_build=True)

    status: str


class ScreenPopLinkRequest(BaseModel):
    model_config = ConfigDict(defer_build=True)

    ani: str | None = None
    contact_id: str | None = None
    callVariables: dict[str, str] | None = None


class ScreenPopLink(BaseModel):
    model_config = ConfigDict(defer_build=True)

    url: str
    expiresAt: int


class BulkRequest(BaseModel):
    model_config = ConfigDict(defer_build=True)

    contacts: list[dict[str, Any]]


class BulkResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    results: list[dict[str, Any]]
    created: int
    rejected: int


class PushResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    results: list[dict[str, Any]]
    counts: dict[str, int]


class AttachmentList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[dict[str, Any]]
    cursor: str | None = None


@dataclass(frozen=True)
class Op:
    summary: str
    tag: str
    ok: int = 200
    request: Any = None
    response: Any = None
    errors: tuple[int, ...] = (400,)
    query: tuple[str, ...] = ()
    media: str = "application/json"
    example: dict[str, Any] | None = None
    headers: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


OPS: dict[tuple[str, str], Op] = {
    ("GET", "/health"): Op("Health: 200 once the table answers", "Service", response=Health, errors=(503,)),
    ("GET", "/openapi.json"): Op("This document", "Service", response=dict, errors=()),
    ("GET", "/docs"): Op("This document for people", "Service", media="text/html", errors=()),
    ("POST", "/saveContact"): Op("Create a contact", "Contacts", request=ContactFields, response=Contact,
                                 errors=(400, 409, 413), example=CIM_CONTACT, headers=("ETag",)),
    ("POST", "/contacts"): Op("Create a contact (resource style)", "Contacts", ok=201, request=ContactFields,
                              response=Contact, errors=(400, 409, 413), example=CIM_CONTACT,
                              headers=("ETag", "Location")),
    ("POST", "/contacts/bulk"): Op("Create up to 100 contacts; per-item results", "Contacts", request=BulkRequest,
                                   response=BulkResult, errors=(400, 413),
                                   example={"contacts": [CIM_CONTACT, {"first_name": "Bo", "phone1": "040 123 4567"}]}),
    ("GET", "/contacts"): Op("List or search contacts", "Contacts", response=Page[Contact],
                             query=PAGING + ("phone", "email", "name", "first_name", "last_name")),
    ("GET", "/getContactList"): Op("Contacts, newest first", "Contacts", response=list[Contact], query=PAGING,
                                   headers=("X-Next-Cursor",)),
    ("GET", "/contacts/{contact_id}"): Op("One contact", "Contacts", response=Contact, errors=(400, 404),
                                          headers=("ETag",)),
    ("PUT", "/contacts/{contact_id}"): Op("Update a contact (merge; If-Match or version)", "Contacts",
                                          request=ContactFields, response=Contact,
                                          errors=(400, 404, 409, 412, 413), example=CIM_CONTACT),
    ("DELETE", "/contacts/{contact_id}"): Op("Delete a contact; answers with it", "Contacts", response=Contact,
                                             errors=(400, 404, 412)),
    ("GET", "/contacts/getContactByName/{name}"): Op("Contacts whose name words the query words start",
                                                     "Contacts", response=list[Contact], query=PAGING),
    ("POST", "/contacts/getContactsBySearchTerms"): Op("Contacts matching every property", "Contacts",
                                                       request=dict, response=list[Contact], query=PAGING,
                                                       example={"phone": "+1 415 555 0100", "first_name": "Ann"}),
    ("GET", "/contacts/loadMore/{last_id}"): Op("The page after last_id", "Contacts", response=list[Contact],
                                                errors=(400, 404), query=("limit",)),
    ("POST", "/contacts/lookup"): Op("IVR lookup: who is calling?", "Lookup", request=LookupRequest,
                                     response=LookupAnswer, query=("format",),
                                     example={"ani": "0014155550100", "callVariables": {"callVariable3": "AC-1"}}),
    ("GET", "/contacts/lookup"): Op("IVR lookup (query form; any other parameter is a call variable)", "Lookup",
                                    response=LookupAnswer, query=("ani", "format")),
    ("POST", "/screenpop/link"): Op("A signed screen-pop URL", "Screen pop", request=ScreenPopLinkRequest,
                                    response=ScreenPopLink, example={"ani": "+14155550100"}),
    ("GET", "/screenpop"): Op("The screen pop page (signed link)", "Screen pop", media="text/html",
                              errors=(400, 403, 404), query=("ani", "contact_id", "exp", "sig")),
    ("POST", "/screenpop/contacts"): Op("Create a contact from the screen pop form", "Screen pop", ok=303,
                                        media="text/html", errors=(400, 403)),
    ("GET", "/getSchema"): Op("The contact schema", "Schema", response=list[Attribute], errors=()),
    ("GET", "/schema"): Op("The contact schema (resource style)", "Schema", response=list[Attribute], errors=()),
    ("POST", "/saveSchema"): Op("Add an attribute", "Schema", request=AttributeFields, response=Attribute,
                                errors=(400, 409), example={"label": "Account", "key": "account_no", "type": "text"}),
    ("POST", "/schema"): Op("Add an attribute (resource style)", "Schema", request=AttributeFields,
                            response=Attribute, errors=(400, 409)),
    ("PUT", "/schema/{schema_id}"): Op("Change an attribute", "Schema", request=AttributeFields, response=Attribute,
                                       errors=(400, 404, 409, 422)),
    ("DELETE", "/schema/{schema_id}"): Op("Delete an attribute (?force=true removes its values)", "Schema",
                                          response=Attribute, errors=(400, 404, 409, 422), query=("force",)),
    ("GET", "/schema/jobs/{job_id}"): Op("A reindex job's progress", "Schema", response=Job, errors=(400, 404)),
    ("POST", "/schema/jobs/{job_id}/run"): Op("Carry a reindex job on", "Schema", response=Job,
                                              errors=(400, 404, 409)),
    ("POST", "/mapping"): Op("Add a mapping rule", "Mapping", request=RuleFields, response=Rule, errors=(400, 422),
                             example={"callVar": "Account", "callVariable": "callVariable3", "key": "account_no",
                                      "varNumber": "3"}),
    ("GET", "/mapping"): Op("The mapping rules, in order", "Mapping", response=list[Rule], errors=()),
    ("PUT", "/mapping/{id}"): Op("Change a mapping rule", "Mapping", request=RuleFields, response=Rule,
                                 errors=(400, 404, 409, 422)),
    ("DELETE", "/mapping/{id}"): Op("Delete a mapping rule", "Mapping", response=Rule, errors=(400, 404)),
    ("POST", "/interactions/updateOrSaveInteractionTree/{call_Id}"): Op(
        "Add or update one leg of a call", "Interactions", request=SaveLegRequest, response=LegFields,
        errors=(400, 404, 409, 413), headers=("X-CIM-Outcome",),
        example={"interaction": {"type": "voice", "agentId": "agent-7", "start_time": "2026-11-22T10:00:00Z",
                                 "call_duration": "40", "interaction_type": "IVR", "ivr_trail": "main>billing"},
                 "call_Id": "CALL-1", "ani": "+14155550100"}),
    ("GET", "/interactions/loadInteractions/{id}"): Op("A contact's calls, newest first", "Interactions",
                                                       response=list[Tree], errors=(400, 404), query=PAGING),
    ("GET", "/contacts/{contact_id}/interactions"): Op("A contact's calls (resource style)", "Interactions",
                                                       response=Page[Tree], errors=(400, 404), query=PAGING),
    ("GET", "/interactions/{call_Id}"): Op("One call's tree", "Interactions", response=Tree, errors=(400, 404)),
    ("PUT", "/interactions/{call_Id}/contact"): Op("Link a call to one contact", "Interactions",
                                                   request=LinkRequest, response=Tree, errors=(400, 404, 409)),
    ("DELETE", "/interactions/{call_Id}/contact"): Op("Unlink a call", "Interactions", response=Tree,
                                                      errors=(400, 404, 409)),
    ("POST", "/s3attachments"): Op("A presigned upload and a short link", "Attachments", ok=201,
                                   request=AttachmentRequest, response=AttachmentCreated, errors=(400, 404, 413),
                                   example={"fileName": "invoice.pdf", "mimeType": "application/pdf", "size": 48213}),
    ("GET", "/a/{code}"): Op("Open a short link (302 to a one-minute download)", "Attachments", ok=302, media="",
                             errors=(404, 409, 410)),
    ("GET", "/attachments/{attachment_id}"): Op("An attachment's status", "Attachments", response=Attachment,
                                                errors=(400, 404)),
    ("DELETE", "/attachments/{attachment_id}"): Op("Delete the file, revoke the link", "Attachments",
                                                   response=Attachment, errors=(400, 404)),
    ("GET", "/contacts/{contact_id}/attachments"): Op("A contact's attachments", "Attachments",
                                                      response=AttachmentList, errors=(400, 404)),
    ("POST", "/keys"): Op("Create an API key (shown once)", "Keys", ok=201, request=KeyRequest, response=NewApiKey),
    ("GET", "/keys"): Op("The API keys, without secrets", "Keys", response=list[ApiKey], errors=()),
    ("DELETE", "/keys/{key_id}"): Op("Revoke an API key", "Keys", response=ApiKey, errors=(400, 404)),
    ("POST", "/rci/contacts"): Op("Push contact-center records (X-CIM-Signature: sha256=<HMAC of the body>)",
                                  "Contact-center sync", request=dict, response=PushResult, errors=(400, 401, 413),
                                  example={"id": "E936C400B22311D38FBE0090279A922E",
                                           "contactGroupId": "E936C499B22311D38FBE0090279A922E", "channel": "PHONE",
                                           "type": "CallIn", "status": "Handled_AOT", "source": "0401234567",
                                           "destination": "320", "arrivalTime": "2016-02-01T09:22:11.000Z",
                                           "handlingDuration": 323000}),
    ("GET", "/rci/sync"): Op("The sync's watermark and recent runs", "Contact-center sync", response=dict, errors=()),
    ("POST", "/rci/sync"): Op("Pull from the contact center now", "Contact-center sync", response=dict,
                              errors=(409, 422)),
}

DESCRIPTIONS = {200: "OK", 201: "Created", 302: "Found", 303: "See Other", 400: "Bad request (the message names the field)",
                401: "No key, or an unknown, expired or revoked one", 403: "The key's role may not call this",
                404: "Not found", 409: "Conflict", 410: "Gone", 412: "Stale version", 413: "Too large",
                415: "The body is not of the documented media type",
                422: "Valid JSON that cannot be carried out", 503: "The table cannot be reached"}
QUERY_TYPES = {"limit": {"type": "integer", "minimum": 1}, "force": {"type": "boolean"},
               "format": {"type": "string", "enum": ["json", "ivr"]}, "exp": {"type": "integer"}}


def _schema(kind: Any, known: dict[type, str]) -> dict[str, Any]:
    if kind is dict:
        return {"type": "object"}
    if isinstance(kind, type) and issubclass(kind, BaseModel) and kind in known:
        return {"$ref": f"#/components/schemas/{known[kind]}"}
    return TypeAdapter(kind).json_schema(ref_template="#/components/schemas/{model}")


def _models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = [ErrorBody]
    for op in OPS.values():
        for kind in (op.request, op.response):
            if isinstance(kind, type) and issubclass(kind, BaseModel) and kind not in found:
                found.append(kind)
    return found


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    models = _models()
    names, definitions = models_json_schema([(m, "validation") for m in models],
                                            ref_template="#/components/schemas/{model}")
    known = {m: names[(m, "validation")]["$ref"].rsplit("/", 1)[1] for m in models}
    schemas = dict(definitions.get("$defs", {}))
    paths: dict[str, Any] = {}
    for (method, path), role in sorted(access.ROUTES.items(), key=lambda r: (r[0][1], r[0][0])):
        op = OPS[(method, path)]
        paths.setdefault(path, {})[method.lower()] = _operation(method, path, role, op, known)
    return {
        "openapi": "3.1.0",
        "info": {"title": "CIM service", "version": "1.0.0",
                 "description": "Customer Interaction Management: contacts, schema, mapping rules, IVR lookup, "
                                "interaction trees and attachments. Paths and field names follow the CIM API 1.0.0."},
        "servers": [{"url": "/"}],
        "components": {"schemas": schemas,
                       "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                                      "description": "Authorization: Bearer <API key>"}}},
        "security": [{"apiKey": []}],
        "paths": paths,
    }


def _operation(method: str, path: str, role: str, op: Op, known: dict[type, str]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": re.sub(r"[^A-Za-z0-9]+", "_", f"{method.lower()}{path}").strip("_"),
        "summary": op.summary, "tags": [op.tag],
        "description": f"Role: {role}.",
        "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                       for name in re.findall(r"\{([^}]+)\}", path)]
        + [{"name": name, "in": "query", "required": False, "schema": QUERY_TYPES.get(name, {"type": "string"})}
           for name in op.query],
    }
    if role == access.PUBLIC:
        operation["security"] = []
    if op.request is not None:
        body: dict[str, Any] = {"schema": _schema(op.request, known)}
        if op.example:
            body["example"] = op.example
        media = "application/x-www-form-urlencoded" if path == "/screenpop/contacts" else "application/json"
        operation["requestBody"] = {"required": True, "content": {media: body}}
    success: dict[str, Any] = {"description": DESCRIPTIONS[op.ok]}
    if op.response is not None and op.media:
        success["content"] = {op.media: {"schema": _schema(op.response, known)}}
        if "format" in op.query:  # ?format=ivr: flat key=value lines
            success["content"]["text/plain"] = {"schema": {"type": "string"}}
    elif op.media == "text/html":
        success["content"] = {"text/html": {"schema": {"type": "string"}}}
    if op.headers:
        success["headers"] = {h: {"schema": {"type": "string"}} for h in op.headers}
    error = {"application/json": {"schema": {"$ref": f"#/components/schemas/{known[ErrorBody]}"}}}
    responses = {str(op.ok): success}
    codes = list(op.errors) + ([415] if op.request is not None or op.ok == 303 else []) \
        + ([] if role == access.PUBLIC else [401, 403])
    for code in codes:
        responses[str(code)] = {"description": DESCRIPTIONS[code]}
        if code not in (401, 403) and op.media in ("application/json", ""):
            responses[str(code)]["content"] = error
        else:
            responses[str(code)]["content"] = {"application/json": {"schema": {"type": "object"}},
                                               "text/html": {"schema": {"type": "string"}}}
    operation["responses"] = responses
    return operation
