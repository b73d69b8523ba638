"""The audit trail: who changed which fields of a contact, when, through
which route. New values of personal fields (the core name, phone and e-mail
fields, attributes flagged ``pii``, consent addresses) are masked: the trail
says that they changed, never what to."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import actor, retention
from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import Invalid
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.domain.values import parse_datetime
from chalicelib.models.contact import SERVER_FIELDS
from chalicelib.services.schema import schema
from chalicelib.store import audit as store

MASK = "***"
MAX_PERIOD_DAYS = 366


def ttl() -> int | None:
    return retention.expires(get_settings().audit_days)


def entry(action: str, contact_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None
          ) -> dict[str, Any]:
    """The record of one change (``before``/``after``: the contact's documents)."""
    who = actor.current()
    return {"id": new_id(), "at": now_iso(), "contact_id": contact_id, "action": action, "who": who.who,
            "via": who.via, "fields": changed_fields(before or {}, after or {})}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    personal = schema.pii_keys()
    fields: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        if key in SERVER_FIELDS:
            continue
        old, new = before.get(key), after.get(key)
        if old != new:
            fields[key] = MASK if new not in (None, "", []) and key in personal else new
    old_consents, new_consents = before.get("consents") or {}, after.get("consents") or {}
    for usage in sorted(set(old_consents) | set(new_consents)):
        old, new = old_consents.get(usage), new_consents.get(usage)
        if (old or {}).get("granted") != (new or {}).get("granted") or (old or {}).get("address") != (
                new or {}).get("address"):
            fields[f"consents.{usage}"] = None if new is None else {
                "granted": new.get("granted"), "address": MASK if new.get("address") else None,
                "source": new.get("source")}
    return fields


def action(entry_: dict[str, Any]) -> dict[str, Any]:
    """The transaction action that writes ``entry_`` beside the change."""
    return store.put_action(entry_, ttl())


def item(entry_: dict[str, Any]) -> dict[str, Any]:
    return store.item(entry_, ttl())


def of_contact(contact_id: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    return store.of_contact(check_id(contact_id, "contact_id"), limit, cursor)


def in_period(start: str | None, end: str | None, limit: int, cursor: str | None
              ) -> tuple[list[dict[str, Any]], str | None]:
    """Every change between ``start`` and ``end`` (ISO date-times; a date
    alone is its whole day), oldest first, at most a year at a time."""
    if not start or not end:
        raise Invalid("from, to: give both, as ISO dates or date-times (e.g. from=2026-11-01&to=2026-11-30)")
    first, last = _moment(start, "from", end=False), _moment(end, "to", end=True)
    if last < first:
        raise Invalid("to: before from")
    if (last - first).days > MAX_PERIOD_DAYS:
        raise Invalid(f"to: at most {MAX_PERIOD_DAYS} days after from")
    days = [(first + timedelta(days=n)).date().isoformat() for n in range((last.date() - first.date()).days + 1)]
    return store.in_period(days, iso(first), iso(last), limit, cursor)


def _moment(text: str, name: str, *, end: bool) -> datetime:
    if len(text) == 10:  # a date: its whole day
        text += "T23:59:59.999Z" if end else "T00:00:00Z"
    moment = parse_datetime(text)
    if moment is None:
        raise Invalid(f"{name}: {text!r} is not an ISO date or date-time")
    return moment.astimezone(UTC)
