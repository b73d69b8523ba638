"""Mapping rules: ``/mapping`` and ``/mapping/{id}`` as in the CIM API."""
from __future__ import annotations

from chalicelib.api.http import to_response
from chalicelib.api.routing import Area
from chalicelib.core.roles import ADMIN, AGENT
from chalicelib.models.mapping import Rule, RuleFields

area = Area(__name__, "Mapping")
bp = area.blueprint


@area.route("POST", "/mapping", role=ADMIN, summary="Add a mapping rule", request=RuleFields, response=Rule,
            errors=(400, 422),
            example={"callVar": "Account", "callVariable": "callVariable3", "key": "account_no", "varNumber": "3"})
def create_rule(body: RuleFields):
    from chalicelib.services.schema import mapping
    return to_response(mapping.create(body))


@area.route("GET", "/mapping", role=AGENT, summary="The mapping rules, in order", response=list[Rule], errors=())
def list_rules():
    from chalicelib.services.schema import mapping
    return to_response(mapping.rules())


@area.route("PUT", "/mapping/{id}", role=ADMIN, summary="Change a mapping rule", request=RuleFields, response=Rule,
            errors=(400, 404, 409, 422))
def update_rule(id, body: RuleFields):  # noqa: A002 - the CIM API names the parameter "id"
    from chalicelib.services.schema import mapping
    return to_response(mapping.update(id, body))


@area.route("DELETE", "/mapping/{id}", role=ADMIN, summary="Delete a mapping rule", response=Rule,
            errors=(400, 404))
def delete_rule(id):  # noqa: A002
    from chalicelib.services.schema import mapping
    return to_response(mapping.delete(id))
