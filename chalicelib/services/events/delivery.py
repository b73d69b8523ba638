"""Delivering events to webhooks, per the Standard Webhooks specification:
signed (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``, by the
``standardwebhooks`` library), retried on a failure or timeout along
``CIM_WEBHOOK_RETRY_SECONDS`` (with jitter), dead-lettered when that runs
out, and the webhook disabled by a 410.

Order: the deliveries of one lane (a contact, to one webhook) go one at a
time. While one is not delivered, the next wait behind it; when it is
delivered or dead-lettered, the next goes at once.
"""
from __future__ import annotations

import json
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import invocation, metrics
from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import Invalid, NotFound
from chalicelib.core.settings import get_settings
from chalicelib.domain.events import CONSENT_CHANGED, CONTACT_CREATED, CONTACT_UPDATED, subscribed
from chalicelib.integrations import webhooks as sender
from chalicelib.models.common import Page
from chalicelib.models.webhooks import Delivery, ReplayAnswer
from chalicelib.store import retryqueue
from chalicelib.store import webhooks as store
from chalicelib.store.entities.webhooks import StoredDelivery
from chalicelib.store.webhooks import StoredWebhook

log = logging.getLogger("cim")
DELIVERED_DAYS, FAILED_DAYS = 3, 30  # how long an attempt stays listed
REPLAY_PAGE = 100
DEAD_LETTER_METRIC = "WebhookDeadLetters"
_WITH_CONTACT = (CONTACT_CREATED, CONTACT_UPDATED, CONSENT_CHANGED)


def retry_schedule() -> list[float]:
    raw = get_settings().webhook_retry_seconds
    try:
        found = [float(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"CIM_WEBHOOK_RETRY_SECONDS: {raw!r} is not a list of seconds") from None
    return found


def _ttl(days: int) -> int:
    return int(time.time()) + days * 86400


def fan_out(event: dict[str, Any], webhooks: list[StoredWebhook]) -> int:
    """Deliver ``event`` to every enabled webhook that takes its type; how
    many deliveries began (a delivery already begun is not begun twice)."""
    begun = 0
    for webhook in webhooks:
        if webhook.enabled and subscribed(webhook.events, event["type"]):
            delivery = store.start_delivery(webhook.id, event)
            if delivery is not None:
                begun += 1
                _dispatch(webhook, delivery)
    return begun


def _dispatch(webhook: StoredWebhook, delivery: StoredDelivery) -> None:
    """Send now, unless an earlier delivery of the lane still waits."""
    event = delivery.event
    lane = event["lane"]
    if store.lane_head(webhook.id, lane) is not None:
        store.wait_in_lane(webhook.id, lane, event, None)
        return
    if not _attempt(webhook, delivery):
        store.wait_in_lane(webhook.id, lane, event, delivery.next_try)


def _attempt(webhook: StoredWebhook, delivery: StoredDelivery) -> bool:
    """One attempt, recorded on the delivery. True when the delivery is done
    with (delivered, or dead-lettered: the lane moves on); False when it waits
    for ``delivery.next_try``."""
    event = delivery.event
    body = json.dumps(_body(webhook, event), separators=(",", ":"), ensure_ascii=False)
    outcome = sender.post(webhook.url, body.encode(), signed_headers(webhook, event["id"], body),
                          get_settings().webhook_timeout_seconds, get_settings().webhook_allow_loopback)
    delivery.attempts += 1
    delivery.last_status, delivery.last_error, delivery.updated_at, delivery.next_try = (
        outcome.status, outcome.error, now_iso(), None)
    metrics.count("WebhookAttempts", outcome="delivered" if outcome.delivered else "failed")
    if outcome.delivered:
        delivery.status = "delivered"
        store.save_delivery(delivery, _ttl(DELIVERED_DAYS))
        return True
    if outcome.status == 410:
        _disable(webhook, "the target answered 410 Gone")
        return _dead(webhook, delivery, "the target answered 410 Gone; the webhook is disabled")
    schedule = retry_schedule()
    if delivery.attempts > len(schedule):
        return _dead(webhook, delivery, outcome.error or "failed")
    wait = schedule[delivery.attempts - 1] * random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not a secret
    delivery.status, delivery.next_try = "pending", iso(datetime.now(UTC) + timedelta(seconds=wait))
    store.save_delivery(delivery, _ttl(FAILED_DAYS))
    queue = get_settings().webhook_retry_queue
    if queue:  # on time, from the delay queue; the schedule's lane index stays the backstop
        retryqueue.send(queue, webhook.id, event["lane"], wait)
    log.info("webhook %s: event %s attempt %d failed (%s)", webhook.id, event["id"], delivery.attempts,
             outcome.status or "no answer")
    return False


def _dead(webhook: StoredWebhook, delivery: StoredDelivery, why: str) -> bool:
    delivery.status, delivery.last_error, delivery.next_try = "failed", why, None
    store.save_delivery(delivery, _ttl(FAILED_DAYS))
    log.warning("webhook %s: event %s dead-lettered after %d attempts", webhook.id, delivery.event["id"],
                delivery.attempts)
    metrics.count(DEAD_LETTER_METRIC)  # the package's alarm watches it
    return True


def _disable(webhook: StoredWebhook, why: str) -> None:
    from chalicelib.services.events import webhooks

    webhooks.disable(webhook.id, why)
    webhook.enabled = False


def _body(webhook: StoredWebhook, event: dict[str, Any]) -> dict[str, Any]:
    """The event as sent: thin, or with the contact as it is now when the
    webhook asks for full data and the deployment allows it."""
    body = {k: event[k] for k in ("id", "type", "timestamp", "data")}
    if webhook.full_data and get_settings().webhook_full_data and event["type"] in _WITH_CONTACT:
        from chalicelib.services.contacts import contacts

        contact_id = event["data"].get("id") or event["data"].get("contact_id")
        try:
            body["data"] = event["data"] | {"contact": contacts.get(contact_id).model_dump(mode="json")}
        except NotFound:
            pass  # gone since (deleted or erased): the thin event is all there is
    return body


def signed_headers(webhook: StoredWebhook, event_id: str, body: str) -> dict[str, str]:
    """Standard Webhooks headers; while a rotated secret is still honoured,
    the signature of each secret (space-separated), so either verifies."""
    from standardwebhooks.webhooks import Webhook

    moment = datetime.now(UTC)
    secrets = [webhook.secret]
    if webhook.previous_secret and (webhook.previous_until or "") > now_iso():
        secrets.append(webhook.previous_secret)
    signatures = " ".join(Webhook(s).sign(event_id, moment, body) for s in secrets)
    return {"webhook-id": event_id, "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": signatures}


def retry_lanes(messages: list[dict[str, Any]]) -> int:
    """The delay queue's messages: each lane carried on (its head tried if its time has come)."""
    made = 0
    for message in messages:
        with invocation.handling(message.get("messageId")):
            try:
                asked = json.loads(message.get("body") or "{}")
                webhook_id, lane = str(asked["webhook_id"]), str(asked["lane"])
            except (ValueError, KeyError, TypeError):
                log.warning("webhook retry message skipped: not one of ours")
                continue
            made += work_lane(webhook_id, lane)
    return made


def run_due(limit: int = 100) -> int:
    """Every lane whose head's next try has come: try it, then the deliveries
    behind it while they succeed. How many attempts were made."""
    made = 0
    for head in store.due(now_iso(), limit):
        made += work_lane(head.webhook_id, head.lane)
    return made


def work_lane(webhook_id: str, lane: str, *, now: bool = False) -> int:
    """Carry a lane on from its head (``now``: even before its next try)."""
    made = 0
    webhook = store.get_webhook(webhook_id)
    while (head := store.lane_head(webhook_id, lane)) is not None:
        if not now and head.next_try and head.next_try > now_iso():
            break
        now = False
        delivery = store.get_delivery(webhook_id, head.at, head.event_id)
        if delivery is None or webhook is None:  # the webhook was deleted, or the delivery expired
            store.leave_lane(webhook_id, lane, head.at, head.event_id)
            continue
        if not webhook.enabled:
            _dead(webhook, delivery, "the webhook is disabled")
            store.leave_lane(webhook_id, lane, head.at, head.event_id)
            continue
        made += 1
        if not _attempt(webhook, delivery):
            store.wait_in_lane(webhook_id, lane, delivery.event, delivery.next_try)
            break
        store.leave_lane(webhook_id, lane, head.at, head.event_id)
    return made


def deliveries(webhook_id: str, status: str | None, limit: int, cursor: str | None) -> Page[Delivery]:
    if store.get_webhook(webhook_id) is None:
        raise NotFound(f"webhook {webhook_id} not found")
    if status not in (None, "pending", "delivered", "failed"):
        raise Invalid("status: one of pending, delivered, failed")
    found, next_cursor = store.deliveries(webhook_id, status, limit, cursor)
    items = [Delivery(event_id=d.event["id"], type=d.event["type"], timestamp=d.event["timestamp"],
                      status=d.status, attempts=d.attempts, last_status=d.last_status,
                      last_error=d.last_error, next_try=d.next_try, updated_at=d.updated_at)
             for d in found]
    return Page[Delivery](items=items, cursor=next_cursor)


def replay(webhook_id: str, since: str, until: str | None, cursor: str | None) -> ReplayAnswer:
    """Queue the kept events of ``[since, until)`` for this webhook again (in
    order, behind what its lanes still hold; sent by the retry queue or the
    schedule, not by this request). At most a page a call: the answer's
    cursor goes on."""
    webhook = store.get_webhook(webhook_id)
    if webhook is None:
        raise NotFound(f"webhook {webhook_id} not found")
    start, end = _instant("since", since), _instant("until", until) if until else datetime.now(UTC)
    if end <= start:
        raise Invalid("until: must be after since")
    oldest = datetime.now(UTC) - timedelta(days=get_settings().event_days)
    if start < oldest - timedelta(days=1):
        raise Invalid(f"since: events are kept {get_settings().event_days} days (CIM_EVENT_DAYS)")
    day, inner = (cursor.split(".", 1) + [""])[:2] if cursor else (start.date().isoformat(), None)
    if cursor and not _is_day(day):
        raise Invalid("cursor: not a cursor of this replay; start again without it")
    page: list[dict[str, Any]] = []
    next_cursor: str | None = None
    while day <= end.date().isoformat():
        events, inner = store.events_of_day(day, iso(start), iso(end), REPLAY_PAGE - len(page), inner or None)
        page += [event for event in events if subscribed(webhook.events, event["type"])]
        if inner:
            next_cursor = f"{day}.{inner}"
            break
        day = (datetime.fromisoformat(day) + timedelta(days=1)).date().isoformat()
        if len(page) >= REPLAY_PAGE:
            next_cursor = day if day <= end.date().isoformat() else None
            break
    _queue(webhook_id, page)
    return ReplayAnswer(replayed=len(page), cursor=next_cursor)


def _queue(webhook_id: str, events: list[dict[str, Any]]) -> None:
    """Put replayed events in their lanes, in order, for the retry queue or the
    schedule to send: a replay answers at once, however slow the target. A
    lane found empty gets its first replayed event as head, due now; one Query
    per lane, the writes batched."""
    lanes = list(dict.fromkeys(event["lane"] for event in events))
    empty = [lane for lane in lanes if store.lane_head(webhook_id, lane) is None]
    store.replay_into_lanes(webhook_id, events, heads_due={lane: now_iso() for lane in empty})
    queue = get_settings().webhook_retry_queue
    if queue:
        for lane in empty:
            retryqueue.send(queue, webhook_id, lane, 0)


def _is_day(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).date().isoformat() == text
    except ValueError:
        return False


def _instant(field: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{field}: not an ISO 8601 time (2026-12-01T00:00:00Z)") from None
    if moment.tzinfo is None:
        raise Invalid(f"{field}: give the time zone (Z for UTC)")
    return moment.astimezone(UTC)
