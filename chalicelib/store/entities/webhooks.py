"""Webhooks and the events they deliver.

- ``WEBHOOKS`` / ``HOOK#<id>``: a webhook subscription (its signing secrets).
- ``EVENTS#<yyyy-mm-dd>`` / ``<at>#<event id>``: an outbound event, kept
  ``CIM_EVENT_DAYS`` for replay (thin: ids and field names, no values).
- ``HOOK#<webhook id>`` / ``DLV#<at>#<event id>``: one event's delivery to
  one webhook (state, attempts, last answer).
- ``LANE#<webhook id>#<lane>`` / ``<at>#<event id>``: deliveries waiting in
  order behind an undelivered one of the same contact (the lane); the lane's
  head is listed on GSI1 under ``WEBHOOKDUE`` by its next try.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.store.entities import Entity, Key, Record


@dataclass
class StoredDelivery(Record):
    """One event's delivery to one webhook: its attempts so far and what
    the target last answered; ``next_try``: when a failed one is due again."""
    webhook_id: str
    event: dict[str, Any]  # the outbound event, as sent
    status: str  # pending | delivered | failed
    attempts: int
    updated_at: str
    last_status: int | None = None
    last_error: str | None = None
    next_try: str | None = None


@dataclass(frozen=True)
class LaneEntry(Record):
    """A delivery waiting in its lane (the events of one contact or call go
    to a webhook in order); the lane's head carries when it is due."""
    webhook_id: str
    lane: str
    at: str  # the event's timestamp
    event_id: str
    next_try: str | None = None


HOOK_PREFIX = "HOOK#"


class WebhookItem(Entity):
    name, pk, sk, shared_pk = "webhook", "WEBHOOKS", HOOK_PREFIX, True

    @classmethod
    def keys(cls, webhook_id: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{webhook_id}"}


class EventItem(Entity):
    name, pk = "outbound_event", "EVENTS#"

    @classmethod
    def keys(cls, at: str, event_id: str) -> Key:
        return {"PK": cls.day_pk(at[:10]), "SK": f"{at}#{event_id}"}

    @classmethod
    def day_pk(cls, day: str) -> str:
        return f"{cls.pk}{day}"


class DeliveryItem(Entity):
    name, pk, sk = "delivery", HOOK_PREFIX, "DLV#"
    record = StoredDelivery

    @classmethod
    def keys(cls, webhook_id: str, at: str, event_id: str) -> Key:
        return {"PK": cls.pk_of(webhook_id), "SK": f"{cls.sk}{at}#{event_id}"}

    @classmethod
    def pk_of(cls, webhook_id: str) -> str:
        return f"{cls.pk}{webhook_id}"


class LaneItem(Entity):
    name, pk = "lane_entry", "LANE#"
    record = LaneEntry
    DUE_PK = "WEBHOOKDUE"

    @classmethod
    def keys(cls, webhook_id: str, lane: str, at: str, event_id: str) -> Key:
        return {"PK": cls.pk_of(webhook_id, lane), "SK": f"{at}#{event_id}"}

    @classmethod
    def pk_of(cls, webhook_id: str, lane: str) -> str:
        return f"{cls.pk}{webhook_id}#{lane}"

    @classmethod
    def due_listing(cls, next_try: str, webhook_id: str, lane: str) -> Key:
        """GSI1 attributes listing a lane's head under the time of its next try."""
        return {"GSI1PK": cls.DUE_PK, "GSI1SK": f"{next_try}#{webhook_id}#{lane}"}
