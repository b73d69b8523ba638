"""Follow-ups: callbacks and tasks promised to contacts (docs/api.md, Follow-ups)."""
from __future__ import annotations

from chalicelib.api.http import page_params, query, to_response
from chalicelib.api.routing import Area
from chalicelib.core.roles import AGENT
from chalicelib.models.common import Page
from chalicelib.models.followups import Followup, FollowupRequest

area = Area(__name__, "Follow-ups")
bp = area.blueprint


@area.route("POST", "/followups", role=AGENT, summary="Promise a callback or a task (a callback reaches Sinch)",
            ok=201, request=FollowupRequest, response=Followup, errors=(400, 404), idempotent=True,
            request_headers=("Idempotency-Key",))
def create_followup(body: FollowupRequest):
    from chalicelib.services.contacts import followups
    return to_response(followups.create(body), status=201)


@area.route("GET", "/followups", role=AGENT, summary="Follow-ups of an owner (owner=me), soonest due first",
            response=Page[Followup], query=("owner", "state", "due_before", "limit", "cursor"))
def list_followups():
    from chalicelib.services.contacts import followups
    params = query(area.request)
    return to_response(followups.listing(params.get("owner") or "me", params.get("state") or "open",
                                         params.get("due_before"), *page_params(area.request)))


@area.route("GET", "/followups/{followup_id}", role=AGENT, summary="One follow-up", response=Followup,
            errors=(400, 404))
def get_followup(followup_id):
    from chalicelib.services.contacts import followups
    return to_response(followups.get(followup_id))


@area.route("POST", "/followups/{followup_id}/done", role=AGENT, summary="Mark a follow-up done",
            response=Followup, errors=(400, 404, 409))
def followup_done(followup_id):
    from chalicelib.services.contacts import followups
    return to_response(followups.done(followup_id))
