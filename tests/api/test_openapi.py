"""The OpenAPI document: valid, complete, served, and readable by people."""
from __future__ import annotations

import re

from openapi_spec_validator import validate

from chalicelib.api import access
from chalicelib.core import roles
from tests.api.conftest import body


def test_the_document_is_valid_openapi_3_1_and_names_every_route(api):
    reply = api.as_key(None).get("/openapi.json")
    assert reply.status_code == 200
    spec = body(reply)
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    from app import app
    from chalicelib.api.routing import OPERATIONS

    for path, methods in app.routes.items():
        for method in methods:
            if OPERATIONS[(method, path)].session:  # the desk's browser pages are not API
                assert method.lower() not in spec["paths"].get(path, {}), (method, path)
                continue
            operation = spec["paths"][path][method.lower()]
            if access.role_table()[(method, path)] == roles.PUBLIC:
                assert operation["security"] == []
            else:
                assert {"401", "403"} <= set(operation["responses"])


def test_the_documented_cim_fields_are_in_the_models(api):
    schemas = body(api.get("/openapi.json"))["components"]["schemas"]
    assert {"first_name", "last_name", "phone1"} <= set(schemas["Contact"]["properties"])
    assert {"callVar", "callVariable", "key", "varNumber"} <= set(schemas["Rule"]["properties"])
    assert {"label", "key", "type"} <= set(schemas["Attribute"]["properties"])
    assert {"call_Id", "phone_number", "interactions"} <= set(schemas["Tree"]["properties"])
    leg = schemas["LegFields"]["properties"]
    assert {"type", "agentId", "start_time", "call_duration", "ivr_trail", "call_id", "call_disposition",
            "team_name", "csq", "interaction_type", "wrap_up"} <= set(leg)


def test_docs_is_one_self_contained_page(api):
    reply = api.as_key(None).get("/docs")
    page = reply.body.decode()
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/html")
    assert "/contacts/getContactByName/{name}" in page and "updateOrSaveInteractionTree" in page
    assert "<script" not in page and "src=" not in page
    # Nothing loaded from elsewhere (a stylesheet, a font, a link out); an
    # example body may still show a URL as text (a webhook's target).
    assert not re.search(r"""(href|action)\s*=\s*["']?\w+://|url\(\s*["']?\w+://|@import""", page)
