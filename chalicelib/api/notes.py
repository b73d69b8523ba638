"""Notes: what an agent wrote down on a contact or a call."""
from __future__ import annotations

from chalicelib.api.http import page_params, page_response, to_response
from chalicelib.api.routing import Area
from chalicelib.core.roles import AGENT
from chalicelib.models.common import Page
from chalicelib.models.notes import Note, NoteRequest

area = Area(__name__, "Notes")
bp = area.blueprint
EXAMPLE = {"text": "Promised a callback on Monday about the 50% offer"}


@area.route("POST", "/contacts/{contact_id}/notes", role=AGENT, summary="Write a note on a contact", ok=201,
            request=NoteRequest, response=Note, errors=(400, 404, 413), example=EXAMPLE, idempotent=True,
            request_headers=("Idempotency-Key",))
def add_contact_note(contact_id, body: NoteRequest):
    from chalicelib.services.contacts import notes as contact_notes
    return to_response(contact_notes.add(contact_id, body), status=201)


@area.route("GET", "/contacts/{contact_id}/notes", role=AGENT, summary="A contact's notes, newest first",
            response=Page[Note], errors=(400, 404), query=("limit", "cursor"))
def contact_note_list(contact_id):
    from chalicelib.services.contacts import notes as contact_notes
    return page_response(*contact_notes.listing(contact_id, *page_params(area.request)))


@area.route("POST", "/interactions/{call_Id}/notes", role=AGENT, summary="Write a note on a call", ok=201,
            request=NoteRequest, response=Note, errors=(400, 404, 413), example=EXAMPLE, idempotent=True,
            request_headers=("Idempotency-Key",))
def add_call_note(call_Id, body: NoteRequest):  # noqa: N803 - the CIM API's name
    from chalicelib.services.calls import interactions
    return to_response(interactions.add_note(call_Id, body), status=201)


@area.route("GET", "/interactions/{call_Id}/notes", role=AGENT,
            summary="A call's notes, newest first (at most 50: one page)", response=Page[Note], errors=(400, 404))
def call_note_list(call_Id):  # noqa: N803
    from chalicelib.services.calls import interactions
    return page_response(interactions.notes(call_Id), None)
