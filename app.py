"""The CIM service: Chalice app wiring. Routes live in ``chalicelib/api``."""
from chalice import Chalice

from chalicelib.api import (
    attachments, contacts, health, interactions, lookup, mapping, schedules, schema, screenpop,
)

app = Chalice(app_name="cim")
app.register_blueprint(health.bp)
app.register_blueprint(contacts.bp)
app.register_blueprint(schema.bp)
app.register_blueprint(mapping.bp)
app.register_blueprint(lookup.bp)
app.register_blueprint(screenpop.bp)
app.register_blueprint(interactions.bp)
app.register_blueprint(attachments.bp)
app.register_blueprint(schedules.bp)
