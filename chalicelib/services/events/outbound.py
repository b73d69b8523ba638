"""The stream function's work: each change the table's stream hands over
(DynamoDB Streams' record, new and old images) becomes its outbound events
(``domain/events``), kept for replay, put on EventBridge and delivered to
the webhooks that take them.

At least once: the stream hands a batch again after a failure. An event's
id comes from its stream record, so a second pass makes the same events: a
webhook that already has one is not sent it again (its delivery exists),
EventBridge may see it twice (consumers dedupe on ``id``).
"""
from __future__ import annotations

import contextvars
import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib.core import invocation
from chalicelib.core.clock import now_iso
from chalicelib.core.settings import get_settings
from chalicelib.domain.events import Change, changes
from chalicelib.services.events import delivery
from chalicelib.store import eventbus
from chalicelib.store import webhooks as store
from chalicelib.store.webhooks import StoredWebhook

log = logging.getLogger("cim")


def events_of(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The outbound events one stream record makes (none for most items)."""
    images = record.get("dynamodb") or {}
    old, new = store.decode_image(images.get("OldImage")), store.decode_image(images.get("NewImage"))
    entity = store.entity_of(images.get("Keys") or {}, new or old or {})
    found = changes(entity, old, new)
    stamp = now_iso()  # in stream order: a lane's events sort as they happened
    return [_event(record, index, stamp, change) for index, change in enumerate(found)]


def _event(record: dict[str, Any], index: int, stamp: str, change: Change) -> dict[str, Any]:
    sequence = "".join(c for c in str((record.get("dynamodb") or {}).get("SequenceNumber", "")) if c.isdigit())
    unique = sequence.zfill(40) if sequence else hashlib.sha256(str(record.get("eventID")).encode()).hexdigest()[:40]
    return {"id": f"evt_{unique}_{index}", "type": change.type, "timestamp": stamp, "lane": change.lane,
            "data": change.data | {"sequence": change.sequence}}


def handle(records: list[dict[str, Any]]) -> int:
    """Process one batch in order; how many events left."""
    settings = get_settings()
    events = []
    for record in records:
        with invocation.handling(record.get("eventID")):
            events += events_of(record)
    if not events:
        return 0
    store.log_events(events, int(time.time()) + settings.event_days * 86400)
    if settings.event_bus:
        eventbus.publish(settings.event_bus, [{k: e[k] for k in ("id", "type", "timestamp", "data")} for e in events])
    webhooks = store.all_webhooks()
    if any(w.enabled for w in webhooks):
        lanes: dict[str, list[dict[str, Any]]] = {}
        for event in events:  # a lane keeps stream order; lanes go side by side
            lanes.setdefault(event["lane"], []).append(event)
        with ThreadPoolExecutor(max_workers=min(settings.webhook_lanes_at_once, len(lanes))) as pool:
            running = [pool.submit(contextvars.copy_context().run, _deliver_lane, lane, webhooks)
                       for lane in lanes.values()]
            for done in running:
                done.result()  # a store failure fails the batch: the stream hands it again
    return len(events)


def _deliver_lane(events: list[dict[str, Any]], webhooks: list[StoredWebhook]) -> None:
    for event in events:
        with invocation.handling(event["id"]):  # made from its stream record's sequence number
            delivery.fan_out(event, webhooks)
