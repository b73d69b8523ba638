"""The CIM service: Chalice app wiring. Routes, schedules and Amazon Connect's
Lambda triggers live in ``chalicelib/api``; each route declares its role
(``chalicelib/api/routing.py``)."""
import logging

from chalicelib.api import (
    access,
    application,
    attachments,
    connect,
    contacts,
    desk,
    docs,
    duplicates,
    followups,
    headers,
    health,
    interactions,
    keys,
    lookup,
    mapping,
    merges,
    notes,
    privacy,
    rci,
    requestlog,
    schedules,
    schema,
    screenpop,
    webhooks,
    wrapups,
)
from chalicelib.core import logs

app = application.CimApp(app_name="cim")
app.log.setLevel(logging.INFO)
logs.install()

for area in (health, docs, contacts, schema, mapping, lookup, screenpop, interactions, attachments, keys, rci,
             schedules, connect, desk, privacy, notes, wrapups, webhooks, followups, merges, duplicates):
    app.register_blueprint(area.bp)

access.protect(app)
app.register_middleware(headers.add_security_headers, "http")
app.register_middleware(requestlog.log_request, "http")
for kind in ("pure_lambda", "scheduled", "kinesis", "dynamodb"):
    app.register_middleware(requestlog.begin_invocation, kind)
