"""The CIM service: Chalice app wiring. Routes live in ``chalicelib/api``."""
from chalice import Chalice

from chalicelib.api import contacts, health, schema

app = Chalice(app_name="cim")
app.register_blueprint(health.bp)
app.register_blueprint(contacts.bp)
app.register_blueprint(schema.bp)
