"""The CIM service: Chalice app wiring. Routes, schedules and Amazon Connect's
Lambda triggers live in ``chalicelib/api``; each route declares its role
(``chalicelib/api/routing.py``)."""
import logging
import os

# pydantic looks for plugins (a scan of every installed package's entry
# points, ~15 ms) when the first model is built; this service uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from chalicelib.api import (  # noqa: E402 - after the setting above
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
