"""Interaction trees: the CIM routes (``/interactions/updateOrSaveInteractionTree/{call_Id}``,
``/interactions/loadInteractions/{id}``) and their resource-style twins."""
from __future__ import annotations

from chalicelib.api.http import list_response, page_params, page_response, to_response
from chalicelib.api.routing import Area, caller_role
from chalicelib.core.roles import AGENT, IVR
from chalicelib.models.common import Page
from chalicelib.models.interaction import CallSummary, Leg, LinkRequest, SaveLegRequest, Tree

area = Area(__name__, "Interactions")
bp = area.blueprint
PAGING = ("limit", "cursor")
LEG_EXAMPLE = {"interaction": {"type": "voice", "agentId": "agent-7", "start_time": "2026-11-22T10:00:00Z",
                               "call_duration": "40", "interaction_type": "IVR", "ivr_trail": "main>billing"},
               "call_Id": "CALL-1", "ani": "+14155550100"}


@area.route("POST", "/interactions/updateOrSaveInteractionTree/{call_Id}", role=IVR,
            summary="Add or update one leg of a call", request=SaveLegRequest, response=Leg,
            errors=(400, 404, 409, 413), headers=("X-CIM-Outcome",), example=LEG_EXAMPLE)
def save_leg(call_Id, body: SaveLegRequest):  # noqa: N803 - the CIM API's name
    from chalicelib.services.calls import interactions
    leg, outcome = interactions.save_leg(call_Id, body)
    answer = interactions.leg_answer(leg, body, as_sent=caller_role(area.request) == IVR)
    return to_response(answer, headers={"X-CIM-Outcome": outcome}, omit_none=True)


@area.route("GET", "/interactions/loadInteractions/{id}", role=AGENT, summary="A contact's calls, newest first",
            response=list[Tree], errors=(400, 404), query=PAGING, headers=("X-Next-Cursor",))
def load_interactions(id):  # noqa: A002 - the CIM API's name
    from chalicelib.services.calls import interactions
    return list_response(*interactions.history(id, *page_params(area.request)))


@area.route("GET", "/contacts/{contact_id}/interactions", role=AGENT, summary="A contact's calls (resource style)",
            response=Page[Tree], errors=(400, 404), query=PAGING)
def contact_interactions(contact_id):
    from chalicelib.services.calls import interactions
    return page_response(*interactions.history(contact_id, *page_params(area.request)))


@area.route("GET", "/contacts/{contact_id}/history", role=AGENT,
            summary="A contact's calls as history lines, newest first (no tree is read)",
            response=Page[CallSummary], errors=(400, 404), query=PAGING)
def contact_history(contact_id):
    from chalicelib.services.calls import interactions
    return page_response(*interactions.history_lines(contact_id, *page_params(area.request)))


@area.route("GET", "/interactions/{call_Id}", role=AGENT, summary="One call's tree", response=Tree,
            errors=(400, 404))
def get_tree(call_Id):  # noqa: N803
    from chalicelib.services.calls import interactions
    return to_response(interactions.get(call_Id))


@area.route("PUT", "/interactions/{call_Id}/contact", role=AGENT, summary="Link a call to one contact",
            request=LinkRequest, response=Tree, errors=(400, 404, 409))
def link_contact(call_Id, body: LinkRequest):  # noqa: N803
    from chalicelib.services.calls import interactions
    return to_response(interactions.link(call_Id, body.contact_id))


@area.route("DELETE", "/interactions/{call_Id}/contact", role=AGENT, summary="Unlink a call", response=Tree,
            errors=(400, 404, 409))
def unlink_contact(call_Id):  # noqa: N803
    from chalicelib.services.calls import interactions
    return to_response(interactions.unlink(call_Id))
