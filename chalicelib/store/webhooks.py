"""Outbound events and their webhook deliveries (docs/events.md).

- a webhook: one item in the ``WEBHOOKS`` partition, written with its version;
- the event log: one item per event under its day, kept ``CIM_EVENT_DAYS``
  (TTL) so a range can be replayed;
- a delivery: one event to one webhook, its state and attempts;
- a lane: the deliveries of one contact to one webhook that wait, in order,
  behind one not yet delivered. Only the lane's head is on GSI1 (``WEBHOOKDUE``,
  by its next try): the retry schedule reads what is due with one Query.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalicelib.core.errors import Conflict, NotFound
from chalicelib.models.webhooks import Webhook
from chalicelib.store import entities, records
from chalicelib.store.codec import deserialize, serialize, value
from chalicelib.store.dynamo import batch_write, call, query_page
from chalicelib.store.entities import CONTACTS_GSI, ENTITY
from chalicelib.store.entities.webhooks import (
    HOOK_PREFIX,
    DeliveryItem,
    EventItem,
    LaneEntry,
    LaneItem,
    StoredDelivery,
    WebhookItem,
)

# --- webhooks ----------------------------------------------------------------

class StoredWebhook(Webhook):
    """A webhook with the secrets that sign its deliveries (never answered but once)."""
    secret: str
    previous_secret: str | None = None  # still signing until ``previous_until`` after a rotation
    previous_until: str | None = None


def _webhook(record: dict[str, Any] | None) -> StoredWebhook | None:
    return StoredWebhook.model_validate(record) if record else None


def create_webhook(webhook: StoredWebhook) -> None:
    records.put(WebhookItem.keys(webhook.id), webhook.model_dump(), new=True)


def get_webhook(webhook_id: str) -> StoredWebhook | None:
    return _webhook(records.get(WebhookItem.keys(webhook_id)))


def all_webhooks() -> list[StoredWebhook]:
    return [_webhook(r) for r in records.read_partition(WebhookItem.pk, HOOK_PREFIX)]


def replace_webhook(webhook: StoredWebhook, expected_version: int) -> None:
    """Write ``webhook`` if the stored one still has ``expected_version`` (else Conflict)."""
    records.put(WebhookItem.keys(webhook.id), webhook.model_dump(), expect={"version": expected_version})


def delete_webhook(webhook_id: str) -> None:
    try:
        records.delete(WebhookItem.keys(webhook_id))
    except NotFound:
        raise NotFound(f"webhook {webhook_id} not found") from None


# --- the event log -----------------------------------------------------------

def log_events(events: list[dict[str, Any]], ttl: int) -> None:
    """Keep ``events`` for replay (until ``ttl``), 25 a BatchWriteItem."""
    batch_write([serialize(EventItem.keys(e["timestamp"], e["id"]) | {"event": e, "ttl": ttl})
                 for e in events])


def decode_image(image: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stream record's image as the store wrote it (keys kept)."""
    return deserialize(image) if image else None


def entity_of(stream_keys: dict[str, Any], image: dict[str, Any]) -> str:
    """What the changed item is: its ``entity``, else what its key says."""
    if image.get(ENTITY):
        return image[ENTITY]
    plain = deserialize(stream_keys) if stream_keys else {}
    return entities.entity_of(str(plain.get("PK", "")), str(plain.get("SK", "")))


def events_of_day(day: str, since: str, until: str, limit: int,
                  page_cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """The events of ``day`` with ``since <= timestamp < until``, oldest first."""
    pk = EventItem.day_pk(day)
    items, next_cursor = query_page(f"events:{day}:{since}:{until}", page_cursor, ConsistentRead=True,
                                    KeyConditionExpression="PK = :pk AND SK BETWEEN :since AND :until",
                                    ExpressionAttributeValues={":pk": value(pk), ":since": value(since),
                                                               ":until": value(until)},
                                    Limit=limit)
    return [i["event"] for i in items if i["event"]["timestamp"] < until], next_cursor


# --- deliveries --------------------------------------------------------------


def start_delivery(webhook_id: str, event: dict[str, Any]) -> StoredDelivery | None:
    """A pending delivery of ``event``; None when it exists."""
    record = _pending(webhook_id, event)
    try:
        records.put(DeliveryItem.keys(webhook_id, event["timestamp"], event["id"]), asdict(record), new=True)
    except Conflict:
        return None
    return record


def _pending(webhook_id: str, event: dict[str, Any]) -> StoredDelivery:
    return StoredDelivery(webhook_id=webhook_id, event=event, status="pending", attempts=0,
                          updated_at=event["timestamp"])


def get_delivery(webhook_id: str, at: str, event_id: str) -> StoredDelivery | None:
    found = records.get(DeliveryItem.keys(webhook_id, at, event_id))
    return DeliveryItem.from_item(found) if found else None


def save_delivery(delivery: StoredDelivery, ttl: int | None) -> None:
    event = delivery.event
    records.put(DeliveryItem.keys(delivery.webhook_id, event["timestamp"], event["id"]),
                asdict(delivery) | ({"ttl": ttl} if ttl else {}))


def deliveries(webhook_id: str, status: str | None, limit: int,
               page_cursor: str | None) -> tuple[list[StoredDelivery], str | None]:
    """A webhook's deliveries, newest first; with ``status``, only those (a
    filtered Query over this webhook's own partition, at most ``limit`` kept)."""
    params: dict[str, Any] = {
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :dlv)", "ScanIndexForward": False,
        "ExpressionAttributeValues": {":pk": value(DeliveryItem.pk_of(webhook_id)),
                                      ":dlv": value(DeliveryItem.sk)},
        "ConsistentRead": True, "Limit": limit if status is None else max(limit, 200)}
    if status is not None:
        params["FilterExpression"] = "#status = :status"
        params["ExpressionAttributeNames"] = {"#status": "status"}
        params["ExpressionAttributeValues"][":status"] = value(status)
    items, next_cursor = query_page(f"deliveries:{webhook_id}:{status}", page_cursor, keep=limit, **params)
    return [DeliveryItem.from_item(i) for i in items], next_cursor


# --- lanes -------------------------------------------------------------------


def lane_head(webhook_id: str, lane: str) -> LaneEntry | None:
    """The first delivery waiting in the lane (None: the lane is empty)."""
    reply = call("query", KeyConditionExpression="PK = :pk", Limit=1, ConsistentRead=True,
                 ExpressionAttributeValues={":pk": value(LaneItem.pk_of(webhook_id, lane))})
    found = reply.get("Items") or []
    return LaneItem.from_item(deserialize(found[0])) if found else None


def wait_in_lane(webhook_id: str, lane: str, event: dict[str, Any], next_try: str | None) -> None:
    """Put the delivery of ``event`` in its lane; ``next_try``: it is the head, due then."""
    call("put_item", Item=serialize(_lane_entry(webhook_id, lane, event, next_try)))


def _lane_entry(webhook_id: str, lane: str, event: dict[str, Any], next_try: str | None) -> dict[str, Any]:
    entry = LaneItem.keys(webhook_id, lane, event["timestamp"], event["id"])
    record = {"webhook_id": webhook_id, "lane": lane, "at": event["timestamp"], "event_id": event["id"]}
    if next_try is not None:
        record |= LaneItem.due_listing(next_try, webhook_id, lane) | {"next_try": next_try}
    return entry | record


def replay_into_lanes(webhook_id: str, events: list[dict[str, Any]], heads_due: dict[str, str]) -> None:
    """Start ``events`` over (pending deliveries) and put each in its lane; the
    first event of a lane named in ``heads_due`` becomes its head, due then.
    One BatchWriteItem per 25 items."""
    items: list[dict[str, Any]] = []
    heads = dict(heads_due)
    for event in events:
        lane = event["lane"]
        items += [serialize(DeliveryItem.keys(webhook_id, event["timestamp"], event["id"]) | asdict(_pending(webhook_id, event))),
                  serialize(_lane_entry(webhook_id, lane, event, heads.pop(lane, None)))]
    batch_write(items)


def leave_lane(webhook_id: str, lane: str, at: str, event_id: str) -> None:
    call("delete_item", Key=serialize(LaneItem.keys(webhook_id, lane, at, event_id)))


def due(now: str, limit: int) -> list[LaneEntry]:
    """Lane heads whose next try has come, earliest first."""
    reply = call("query", IndexName=CONTACTS_GSI, Limit=limit,
                 KeyConditionExpression="GSI1PK = :due AND GSI1SK <= :now",
                 ExpressionAttributeValues={":due": value(LaneItem.DUE_PK), ":now": value(now + "~")})
    return [LaneItem.from_item(deserialize(i)) for i in reply.get("Items", [])]
