"""Interaction trees: the CIM routes (``/interactions/updateOrSaveInteractionTree/{call_Id}``,
``/interactions/loadInteractions/{id}``) and their resource-style twins."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import endpoint, json_body, page_params, render, render_list, render_page
from chalicelib.lazy import lazy
from chalicelib.models.common import parse
from chalicelib.models.interaction import LinkRequest, SaveLegRequest

interactions = lazy("chalicelib.services.interactions")

bp = Blueprint(__name__)


@bp.route("/interactions/updateOrSaveInteractionTree/{call_Id}", methods=["POST"])
@endpoint
def save_leg(call_Id):  # noqa: N803 - the CIM API's name
    leg, outcome = interactions.save_leg(call_Id, parse(SaveLegRequest, json_body(bp.current_request)))
    return render(leg, headers={"X-CIM-Outcome": outcome})


@bp.route("/interactions/loadInteractions/{id}", methods=["GET"])
@endpoint
def load_interactions(id):  # noqa: A002 - the CIM API's name
    return render_list(*interactions.history(id, *page_params(bp.current_request)))


@bp.route("/contacts/{contact_id}/interactions", methods=["GET"])
@endpoint
def contact_interactions(contact_id):
    return render_page(*interactions.history(contact_id, *page_params(bp.current_request)))


@bp.route("/interactions/{call_Id}", methods=["GET"])
@endpoint
def get_tree(call_Id):  # noqa: N803
    return render(interactions.get(call_Id))


@bp.route("/interactions/{call_Id}/contact", methods=["PUT"])
@endpoint
def link_contact(call_Id):  # noqa: N803
    asked = parse(LinkRequest, json_body(bp.current_request))
    return render(interactions.link(call_Id, asked.contact_id))


@bp.route("/interactions/{call_Id}/contact", methods=["DELETE"])
@endpoint
def unlink_contact(call_Id):  # noqa: N803
    return render(interactions.unlink(call_Id))
