"""Follow-ups: what an agent promised a contact, when, and who does it. A
``callback`` also becomes a callback in Sinch Contact Center (RCI) when one
is configured: sent at once, and retried by the sync's schedule until it
gets there (``sync_state``)."""
from __future__ import annotations

import logging

from chalicelib.core import actor
from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import Conflict, DomainError, Invalid, NotFound
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.domain.values import parse_datetime
from chalicelib.models.common import Page
from chalicelib.models.followups import Followup, FollowupRequest
from chalicelib.services.privacy import audit
from chalicelib.store import contacts as contact_store
from chalicelib.store import followups as store

log = logging.getLogger("cim")
STATES = ("open", "done")


def me() -> str:
    """The signed-in agent, or the key's name (what ``owner=me`` means)."""
    return actor.current().who.removeprefix("desk:")


def _due(text: str) -> str:
    moment = parse_datetime(text)
    if moment is None:
        raise Invalid("due_at: an ISO 8601 time (2026-12-07T09:00:00Z; without a zone it is UTC)")
    return iso(moment)


def create(request: FollowupRequest) -> Followup:
    check_id(request.contact_id, "contact_id")
    is_callback = request.kind == "callback" and bool(get_settings().sinch_base_url)
    followup = Followup(id=new_id(), contact_id=request.contact_id, due_at=_due(request.due_at), note=request.note,
                        kind=request.kind, owner=request.owner or me(), state="open", created_at=now_iso(),
                        sync_state="pending" if is_callback else "not_sent")
    store.add(followup, audit.entry("followup_added", request.contact_id, None, None, fields=["followups"]),
              to_sync=is_callback)
    return send_callback(followup) if is_callback else followup


def send_callback(followup: Followup) -> Followup:
    """Put the callback in the contact center; on failure it stays ``failed``
    (with why) and the schedule tries again."""
    from chalicelib.integrations import sinch

    contact = contact_store.get(followup.contact_id)
    number = next((contact.doc.get("normalized", {}).get(f) for f in ("phone1", "phone2")
                   if contact and contact.doc.get("normalized", {}).get(f)), None)
    if number is None:
        followup = followup.model_copy(update={"sync_state": "no_number",
                                               "sync_error": "the contact has no phone number to call back"})
        store.replace(followup, done_sync=True)
        return followup
    try:
        sinch_id = sinch.create_callback(number, followup.note, followup.due_at, get_settings().sinch_callback_queue)
    except DomainError as error:
        followup = followup.model_copy(update={"sync_state": "failed", "sync_error": error.message})
        store.replace(followup)
        log.warning("callback %s not sent to the contact center yet: %s", followup.id, type(error).__name__)
        return followup
    followup = followup.model_copy(update={"sync_state": "sent", "sinch_id": sinch_id, "sync_error": None})
    store.replace(followup, done_sync=True)
    return followup


def retry_callbacks() -> int:
    """The schedule's pass: every callback still to send, once more; how many got there."""
    sent = 0
    for followup_id in store.waiting_to_sync():
        followup = store.get(followup_id)
        if followup is not None and followup.sync_state in ("pending", "failed"):
            sent += send_callback(followup).sync_state == "sent"
    return sent


def get(followup_id: str) -> Followup:
    followup = store.get(check_id(followup_id, "followup_id"))
    if followup is None:
        raise NotFound(f"follow-up {followup_id} not found")
    return followup


def listing(owner: str, state: str, due_before: str | None, limit: int, cursor: str | None) -> Page[Followup]:
    if state not in STATES:
        raise Invalid("state: open or done")
    found, next_cursor = store.of_owner(me() if owner == "me" else owner, state,
                                        _due(due_before) if due_before else None, limit, cursor)
    return Page[Followup](items=found, cursor=next_cursor)


def of_contact(contact_id: str, merged: list[str] = ()) -> list[Followup]:
    """A contact's follow-ups, with those of contacts ``merged`` into it."""
    return store.of_contact(contact_id, merged=merged)


def done(followup_id: str) -> Followup:
    """Mark it done (once: a second time is a 409 saying when it was)."""
    followup = get(followup_id)
    if followup.state == "done":
        raise Conflict(f"follow-up {followup_id} was done at {followup.done_at}")
    followup = followup.model_copy(update={"state": "done", "done_at": now_iso()})
    if not store.mark_done(followup):
        return done(followup_id)  # done by someone else meanwhile: say so
    return followup
