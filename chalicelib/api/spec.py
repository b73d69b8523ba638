"""The OpenAPI 3.1 document, generated from the route declarations
(``routing.OPERATIONS``) and the pydantic models they name. Served at
``/openapi.json`` and rendered for people at ``/docs``."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, get_args

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from chalicelib.api.routing import OPERATIONS, Operation
from chalicelib.core.ids import ID_PATTERN
from chalicelib.core.roles import PUBLIC
from chalicelib.models.common import ErrorBody
from chalicelib.models.contact import CONSENT_USAGE
from chalicelib.models.interaction import CALL_ID
from chalicelib.services.access.idempotency import KEY_PATTERN, MAX_KEY_CHARS

DESCRIPTIONS = {200: "OK", 201: "Created", 204: "No content", 202: "Accepted: a job goes on (its Location tells its progress)",
                301: "Moved: the contact was merged into another (Location, merged_into)", 302: "Found", 303: "See Other", 400: "Bad request (the message names the field)",
                401: "No key, or an unknown, expired or revoked one", 403: "The key's role may not call this",
                404: "Not found", 409: "Conflict", 410: "Gone", 412: "Stale version", 413: "Too large",
                415: "The body is not of the documented media type",
                422: "Valid JSON that cannot be carried out", 429: "Too many requests (API Gateway throttling)",
                503: "The table cannot be reached, or too many writers at once (Retry-After)"}
REQUIRED_HEADERS = ("X-CIM-Signature", "X-CIM-Timestamp")
HEADER_DESCRIPTIONS = {
    "If-Match": "the version you read (its ETag); a stale one is a 412",
    "X-CIM-Signature": "sha256=<hex of HMAC-SHA256(CIM_RCI_WEBHOOK_SECRET, \"<X-CIM-Timestamp>.\" + the raw body)>",
    "X-CIM-Timestamp": "the Unix time (seconds) the push was signed at; refused more than 5 minutes off",
    "Accept": "text/plain answers the flat IVR lines",
    "Idempotency-Key": "any unique text (a UUID); a retry with the same key and body answers the first result "
                       "(a day), with another body 409",
}
# Text without control characters: what every path and query parameter must be.
PLAIN_TEXT = r"^[^\u0000-\u001f\u007f]*$"
QUERY_TYPES = {"limit": {"type": "integer", "minimum": 1}, "force": {"type": "boolean"},
               "format": {"type": "string", "enum": ["json", "ivr"]}, "exp": {"type": "integer"},
               "state": {"type": "string", "enum": ["running", "done", "failed"]},
               "cursor": {"type": "string", "pattern": r"^[A-Za-z0-9_.~=-]*$",
                          "description": "the cursor the previous page answered (opaque, signed)"}}
# Path parameters by name: the patterns the server checks (ids are 32 upper-case hex characters).
PATH_TYPES = {"call_Id": {"type": "string", "pattern": CALL_ID.pattern},
              "usage": {"type": "string", "pattern": CONSENT_USAGE.pattern},
              "name": {"type": "string", "minLength": 1, "pattern": PLAIN_TEXT},
              "code": {"type": "string", "minLength": 1, "pattern": r"^[A-Za-z0-9_-]+$"}}
ID_TYPE = {"type": "string", "pattern": ID_PATTERN}
HEADER_TYPES = {"If-Match": {"type": "string", "pattern": r'^(\*|(W/)?"?[0-9]{1,15}"?)$'},
                "Idempotency-Key": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_CHARS,
                                    "pattern": KEY_PATTERN}}


def _schema(kind: Any, known: dict[type, str]) -> dict[str, Any]:
    if kind is dict:
        return {"type": "object"}
    if isinstance(kind, type) and issubclass(kind, BaseModel) and kind in known:
        return {"$ref": f"#/components/schemas/{known[kind]}"}
    return TypeAdapter(kind).json_schema(ref_template="#/components/schemas/{model}")


def _models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = [ErrorBody]
    for op in (o for o in OPERATIONS.values() if not o.session):
        for kind in (op.request, op.response, *get_args(op.response)):  # list[Model]: the Model too
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
    for (method, path), op in sorted(OPERATIONS.items(), key=lambda r: (r[0][1], r[0][0])):
        if op.session:  # the desk's browser pages
            continue
        paths.setdefault(path, {})[method.lower()] = _operation(op, known)
    return {
        "openapi": "3.1.0",
        "info": {"title": "CIM service", "version": "1.0.0",
                 "description": "Customer Interaction Management: contacts, schema, mapping rules, IVR lookup, "
                                "interaction trees and attachments. Paths and field names follow the CIM API 1.0.0."},
        "servers": [{"url": "/"}],
        "components": {"schemas": schemas, "responses": _error_responses(known),
                       "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                                      "description": "Authorization: Bearer <API key>"}}},
        "security": [{"apiKey": []}],
        "paths": paths,
    }


def _operation(op: Operation, known: dict[type, str]) -> dict[str, Any]:
    method, path, role = op.method, op.path, op.role
    operation: dict[str, Any] = {
        "operationId": re.sub(r"[^A-Za-z0-9]+", "_", f"{method.lower()}{path}").strip("_"),
        "summary": op.summary, "tags": [op.tag],
        "description": f"Role: {role}.",
        "parameters": [{"name": name, "in": "path", "required": True, "schema": PATH_TYPES.get(name, ID_TYPE)}
                       for name in re.findall(r"\{([^}]+)\}", path)]
        + [{"name": name, "in": "query", "required": False,
            "schema": QUERY_TYPES.get(name, {"type": "string", "pattern": PLAIN_TEXT})} for name in op.query]
        + [{"name": name, "in": "header", "required": name in REQUIRED_HEADERS,
            "schema": HEADER_TYPES.get(name, {"type": "string"}),
            "description": HEADER_DESCRIPTIONS.get(name, "")} for name in op.request_headers],
    }
    if op.call_variables:
        operation["parameters"].append({
            "name": "callVariables", "in": "query", "required": False, "style": "form", "explode": True,
            "schema": {"type": "object", "additionalProperties": {"type": "string"}},
            "description": "call variables: every other query parameter (callVariable3=AC-1001, ...)"})
    if role == PUBLIC:
        operation["security"] = []
    if op.has_body:
        body: dict[str, Any] = {"schema": _schema(op.request, known)}
        if op.example:
            body["example"] = op.example
        operation["requestBody"] = {"required": True, "content": {op.request_media: body}}
    success: dict[str, Any] = {"description": DESCRIPTIONS[op.ok]}
    if op.response is not None and op.media:
        success["content"] = {op.media: {"schema": _schema(op.response, known)}}
        if "format" in op.query:  # ?format=ivr: flat key=value lines
            success["content"]["text/plain"] = {"schema": {"type": "string"}}
    elif op.media == "text/html":
        success["content"] = {"text/html": {"schema": {"type": "string"}}}
    if op.headers:
        success["headers"] = {h: {"schema": {"type": "string"}} for h in op.headers}
    responses = {str(code): success | {"description": DESCRIPTIONS[code]} for code in (op.ok, *op.also_ok)}
    codes = list(op.errors) + ([413, 415] if op.has_body or op.ok == 303 else []) \
        + ([] if role == PUBLIC else [401, 403]) + ([409] if op.idempotent else []) + [503]
    for code in sorted(set(codes)):
        if op.is_page and code != 415:  # a page shows its problem as a page
            responses[str(code)] = {"description": DESCRIPTIONS[code], "content": {"text/html": {"schema": {
                "type": "string"}}}}
        else:  # one error format, one shared component
            responses[str(code)] = {"$ref": f"#/components/responses/Error{code}"}
    operation["responses"] = responses
    return operation


def _error_responses(known: dict[type, str]) -> dict[str, Any]:
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{known[ErrorBody]}"}}}
    answers = {f"Error{code}": {"description": text, "content": body} for code, text in DESCRIPTIONS.items()
               if code >= 400 or code == 301}
    answers["Error301"]["headers"] = {"Location": {"description": "the contact it was merged into",
                                                   "schema": {"type": "string"}}}
    answers["Error503"]["headers"] = {"Retry-After": {
        "description": "seconds to wait before trying again", "schema": {"type": "integer", "minimum": 0}}}
    return answers
