"""The audit trail: who changed which fields of a contact, when, through
which route, and the version it made. Never the values: any field may hold
personal data (a phone or e-mail attribute whatever its ``pii`` flag, free
text that names someone), and a trail kept for years must not outlive an
erasure with them. A consent change names ``consents.<usage>`` and says
whether it is now granted; a call joining or leaving names the ``call_Id``.
An erasure scrubs the erased contacts' entries of anything else (entries
written before this rule held values)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import actor, retention
from chalicelib.core.clock import iso, now_iso
from chalicelib.core.errors import Invalid
from chalicelib.core.ids import check_id, new_ordered_id
from chalicelib.core.settings import get_settings
from chalicelib.domain.values import parse_datetime
from chalicelib.models.contact import SERVER_FIELDS
from chalicelib.models.privacy import AuditEntry
from chalicelib.store import audit as store

MAX_PERIOD_DAYS = 366
ENTRY_FACTS = ("id", "at", "contact_id", "action", "who", "via", "version", "call_Id")


def ttl() -> int | None:
    return retention.expires(get_settings().audit_days)


def entry(action: str, contact_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
          *, version: int | None = None, call_id: str | None = None,
          fields: list[str] | None = None) -> dict[str, Any]:
    """The record of one change (``before``/``after``: the contact's
    documents; ``version``: the one the change made; ``fields``: what changed
    when it is not the document, as ``notes`` for a note written)."""
    who = actor.current()
    made = {"id": new_ordered_id(), "at": now_iso(), "contact_id": contact_id, "action": action, "who": who.who,
            "via": who.via, "fields": fields if fields is not None else changed_fields(before or {}, after or {})}
    if version is not None:
        made["version"] = version
    if call_id is not None:
        made["call_Id"] = call_id
    expires = ttl()
    if expires:
        made["ttl"] = expires  # the store keeps it for the table's TTL; readers never see it
    return made


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The names of the fields that differ (values never)."""
    names = [key for key in set(before) | set(after)
             if key not in SERVER_FIELDS and before.get(key) != after.get(key)]
    old_consents, new_consents = before.get("consents") or {}, after.get("consents") or {}
    names += [f"consents.{usage}" for usage in set(old_consents) | set(new_consents)
              if _consent_facts(old_consents.get(usage)) != _consent_facts(new_consents.get(usage))]
    return sorted(names)


def _consent_facts(consent: dict[str, Any] | None) -> tuple[Any, ...]:
    return (None, None) if consent is None else (consent.get("granted"), consent.get("address"))


def scrub(contact_id: str) -> int:
    """Keep the facts of an erased contact's trail (who, when, how, which
    fields), nothing else; the number of entries rewritten."""
    return store.scrub(contact_id, ENTRY_FACTS)


def changed_since(contact_id: str, version: int) -> set[str] | None:
    """The fields changed by every version after ``version``, from the trail;
    None when the trail cannot tell (an entry has expired or predates versions)."""
    entries = store.all_of_contact(contact_id)
    made = {e.version: e for e in entries if e.version is not None and e.version > version}
    latest = max((e.version or 0 for e in entries), default=0)
    if any(v not in made for v in range(version + 1, latest + 1)):
        return None
    return {f for e in made.values() for f in e.fields}


def of_contact(contact_id: str, limit: int, cursor: str | None) -> tuple[list[AuditEntry], str | None]:
    return store.of_contact(check_id(contact_id, "contact_id"), limit, cursor)


def in_period(start: str | None, end: str | None, limit: int, cursor: str | None
              ) -> tuple[list[AuditEntry], str | None]:
    """Every change between ``start`` and ``end`` (ISO date-times; a date
    alone is its whole day), oldest first, at most a year at a time; one
    Query a day, as many days as the request's call cap allows (the cursor
    goes on from there, so a page may hold fewer items than asked, even none)."""
    if not start or not end:
        raise Invalid("from, to: give both, as ISO dates or date-times (e.g. from=2026-11-01&to=2026-11-30)")
    first, last = _moment(start, "from", end=False), _moment(end, "to", end=True)
    if last < first:
        raise Invalid("to: before from")
    if (last - first).days > MAX_PERIOD_DAYS:
        raise Invalid(f"to: at most {MAX_PERIOD_DAYS} days after from")
    kept = get_settings().audit_days
    if kept:  # nothing older than the trail's retention exists: those days are not read
        first = max(first, datetime.now(UTC) - timedelta(days=kept + 1))
        if last < first:
            return [], None
    days = [(first + timedelta(days=n)).date().isoformat() for n in range((last.date() - first.date()).days + 1)]
    return store.in_period(days, iso(first), iso(last), limit, cursor)


def _moment(text: str, name: str, *, end: bool) -> datetime:
    if len(text) == 10:  # a date: its whole day
        text += "T23:59:59.999Z" if end else "T00:00:00Z"
    moment = parse_datetime(text)
    if moment is None:
        raise Invalid(f"{name}: {text!r} is not an ISO date or date-time")
    return moment.astimezone(UTC)
