"""Mapping rules: ``/mapping`` and ``/mapping/{id}`` as in the CIM API."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import endpoint, json_body, render
from chalicelib.lazy import lazy
from chalicelib.models.common import parse
from chalicelib.models.mapping import RuleFields

mapping = lazy("chalicelib.services.mapping")

bp = Blueprint(__name__)


@bp.route("/mapping", methods=["POST"])
@endpoint
def create_rule():
    return render(mapping.create(parse(RuleFields, json_body(bp.current_request))))


@bp.route("/mapping", methods=["GET"])
@endpoint
def list_rules():
    return render(mapping.rules())


@bp.route("/mapping/{id}", methods=["PUT"])
@endpoint
def update_rule(id):  # noqa: A002 - the CIM API names the parameter "id"
    return render(mapping.update(id, parse(RuleFields, json_body(bp.current_request))))


@bp.route("/mapping/{id}", methods=["DELETE"])
@endpoint
def delete_rule(id):  # noqa: A002
    return render(mapping.delete(id))
