"""Outbound events (docs/events.md): the webhooks admins subscribe, their
deliveries and replays, and the function that reads the table's stream.

The stream's ARN and the retry queue's name here are placeholders: ``make
package`` points the event sources at the table's own stream and the
stage's queue; ``make run`` reads the emulated stream and calls the same
function with the records Lambda would hand it (its retries come from a
schedule every two seconds instead of the queue)."""
from __future__ import annotations

from typing import Any

from chalicelib.api.http import page_params, query, to_response
from chalicelib.api.routing import Area
from chalicelib.core import metering
from chalicelib.core.actor import act_as
from chalicelib.core.roles import ADMIN
from chalicelib.models.common import Page
from chalicelib.models.webhooks import (
    Delivery,
    ReplayAnswer,
    ReplayRequest,
    RetriesRun,
    SecretRotated,
    StreamHandled,
    Webhook,
    WebhookCreated,
    WebhookRequest,
)

area = Area(__name__, "Webhooks")
bp = area.blueprint
TABLE_STREAM = "arn:aws:dynamodb:us-east-1:000000000000:table/cim/stream/placeholder"
RETRY_QUEUE = "cim-webhook-retries"  # a placeholder too: the package names the stage's queue
EXAMPLE = {"url": "https://crm.example.com/cim-events", "events": ["contact.*", "interaction.saved"],
           "description": "CRM sync"}


@bp.on_dynamodb_record(stream_arn=TABLE_STREAM, batch_size=100, starting_position="TRIM_HORIZON",
                      name="table_changes")
def table_changes(event: Any) -> dict[str, int]:
    """Every change of the table, in stream order: its outbound events."""
    from chalicelib.services.events import outbound
    act_as("events", "table_changes")
    metering.stop_counting()  # not a request: bounded by its batch, not by a request's call cap
    return StreamHandled(events=outbound.handle(event.to_dict().get("Records") or [])).model_dump()


@bp.on_sqs_message(queue=RETRY_QUEUE, batch_size=10, name="webhook_retries")
def webhook_retries(event: Any) -> dict[str, int]:
    """Lanes whose retry is due, from the delay queue (docs/events.md)."""
    from chalicelib.services.events import delivery
    act_as("webhooks", "webhook_retries")
    metering.stop_counting()
    return RetriesRun(attempts=delivery.retry_lanes(event.to_dict().get("Records") or [])).model_dump()


@area.route("POST", "/webhooks", role=ADMIN, summary="Subscribe a URL to events (the secret is shown once)", ok=201,
            request=WebhookRequest, response=WebhookCreated, errors=(400, 409), example=EXAMPLE, idempotent=True,
            request_headers=("Idempotency-Key",))
def create_webhook(body: WebhookRequest):
    from chalicelib.services.events import webhooks
    return to_response(webhooks.create(body), status=201)


@area.route("GET", "/webhooks", role=ADMIN, summary="The webhooks, without secrets", response=Page[Webhook],
            errors=())
def list_webhooks():
    from chalicelib.services.events import webhooks
    return to_response(webhooks.listing())


@area.route("GET", "/webhooks/{webhook_id}", role=ADMIN, summary="One webhook", response=Webhook,
            errors=(400, 404))
def get_webhook(webhook_id):
    from chalicelib.services.events import webhooks
    return to_response(webhooks.get(webhook_id))


@area.route("PUT", "/webhooks/{webhook_id}", role=ADMIN, summary="Change a webhook (enabled: true turns it back on)",
            request=WebhookRequest, response=Webhook, errors=(400, 404, 409), example=EXAMPLE)
def replace_webhook(webhook_id, body: WebhookRequest):
    from chalicelib.services.events import webhooks
    return to_response(webhooks.replace(webhook_id, body))


@area.route("DELETE", "/webhooks/{webhook_id}", role=ADMIN, summary="Delete a webhook: nothing more is sent to it",
            response=Webhook, errors=(400, 404))
def delete_webhook(webhook_id):
    from chalicelib.services.events import webhooks
    return to_response(webhooks.delete(webhook_id))


@area.route("POST", "/webhooks/{webhook_id}/secret", role=ADMIN,
            summary="Rotate the signing secret (the old one signs too for 24 h)", response=SecretRotated,
            errors=(400, 404, 409))
def rotate_secret(webhook_id):
    from chalicelib.services.events import webhooks
    return to_response(webhooks.rotate_secret(webhook_id))


@area.route("GET", "/webhooks/{webhook_id}/deliveries", role=ADMIN,
            summary="Deliveries, newest first (?status=failed: the dead letters)", response=Page[Delivery],
            errors=(400, 404), query=("status", "limit", "cursor"))
def list_deliveries(webhook_id):
    from chalicelib.services.events import delivery
    limit, cursor = page_params(area.request)
    return to_response(delivery.deliveries(webhook_id, query(area.request).get("status"), limit, cursor))


@area.route("POST", "/webhooks/{webhook_id}/replay", role=ADMIN, summary="Deliver a range of kept events again",
            request=ReplayRequest, response=ReplayAnswer, errors=(400, 404),
            example={"since": "2026-12-01T00:00:00Z"})
def replay(webhook_id, body: ReplayRequest):
    from chalicelib.services.events import delivery
    return to_response(delivery.replay(webhook_id, body.since, body.until, body.cursor))
