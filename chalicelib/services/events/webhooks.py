"""Webhook subscriptions (admin): where events go, which types, and the
secret that signs them (``whsec_``, shown once; a rotation keeps the old one
signing for 24 hours so a subscriber can switch without missing one)."""
from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta

from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import Conflict, Invalid, NotFound
from chalicelib.core.ids import new_id
from chalicelib.core.settings import get_settings
from chalicelib.integrations.webhooks import target_problem
from chalicelib.models.common import Page
from chalicelib.models.webhooks import MAX_WEBHOOKS, SecretRotated, Webhook, WebhookCreated, WebhookRequest
from chalicelib.store import webhooks as store
from chalicelib.store.webhooks import StoredWebhook

ROTATION_HOURS = 24
_PUBLIC = set(Webhook.model_fields)


def _secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _checked(request: WebhookRequest) -> None:
    problem = target_problem(request.url, get_settings().webhook_allow_loopback)
    if problem:
        raise Invalid(problem)
    if request.full_data and not get_settings().webhook_full_data:
        raise Invalid("full_data: this deployment sends thin events only (CIM_WEBHOOK_FULL_DATA is off)")


def _public(webhook: StoredWebhook) -> Webhook:
    return Webhook.model_validate(webhook.model_dump(include=_PUBLIC))


def create(request: WebhookRequest) -> WebhookCreated:
    _checked(request)
    if len(store.all_webhooks()) >= MAX_WEBHOOKS:
        raise Conflict(f"at most {MAX_WEBHOOKS} webhooks; delete one first")
    stamp = now_iso()
    webhook = StoredWebhook.model_validate(request.model_dump() | {
        "id": new_id(), "secret": _secret(), "created_at": stamp, "updated_at": stamp, "version": 1})
    store.create_webhook(webhook)
    return WebhookCreated.model_validate(webhook.model_dump(include=_PUBLIC | {"secret"}))


def listing() -> Page[Webhook]:
    return Page[Webhook](items=[_public(r) for r in store.all_webhooks()])


def _found(webhook_id: str) -> StoredWebhook:
    webhook = store.get_webhook(webhook_id)
    if webhook is None:
        raise NotFound(f"webhook {webhook_id} not found")
    return webhook


def get(webhook_id: str) -> Webhook:
    return _public(_found(webhook_id))


def replace(webhook_id: str, request: WebhookRequest) -> Webhook:
    """The webhook as asked; enabling it again clears why it was disabled."""
    _checked(request)
    current = _found(webhook_id)
    changed = request.model_dump() | {"updated_at": now_iso(), "version": current.version + 1}
    if request.enabled:
        changed["disabled_reason"] = None
    webhook = current.model_copy(update=changed)
    store.replace_webhook(webhook, current.version)
    return _public(webhook)


def delete(webhook_id: str) -> Webhook:
    """Nothing more goes to it (deliveries waiting in its lanes are dropped as they come up)."""
    gone = _public(_found(webhook_id))
    store.delete_webhook(webhook_id)
    return gone


def rotate_secret(webhook_id: str) -> SecretRotated:
    current = _found(webhook_id)
    until = iso(datetime.now(UTC) + timedelta(hours=ROTATION_HOURS))
    webhook = current.model_copy(update={"secret": _secret(), "previous_secret": current.secret,
                                         "previous_until": until, "updated_at": now_iso(),
                                         "version": current.version + 1})
    store.replace_webhook(webhook, current.version)
    return SecretRotated(id=webhook_id, secret=webhook.secret, previous_valid_until=until)


def disable(webhook_id: str, why: str) -> None:
    current = store.get_webhook(webhook_id)
    if current is None or not current.enabled:
        return
    webhook = current.model_copy(update={"enabled": False, "disabled_reason": why, "updated_at": now_iso(),
                                         "version": current.version + 1})
    try:
        store.replace_webhook(webhook, current.version)
    except Conflict:
        pass  # changed meanwhile (an admin's edit wins; the next 410 disables it again)
