"""The audit trail: one item per change to a contact, put in the same
transaction (or batch) as the change itself, so a failed write leaves none.

Each entry is found two ways: under its contact (``GET /contacts/{id}/changes``)
and, through GSI1, under the day it happened (``GET /audit?from=&to=``). It
expires with ``CIM_AUDIT_DAYS`` (a DynamoDB TTL)."""
from __future__ import annotations

from typing import Any

from chalicelib.core import metering
from chalicelib.models.privacy import AuditEntry
from chalicelib.store import cursor, records
from chalicelib.store.codec import deserialize, serialize, value
from chalicelib.store.dynamo import call, query_page
from chalicelib.store.entities import ALL_KEYS, CONTACTS_GSI, STORAGE_ATTRIBUTES
from chalicelib.store.entities.audit import AuditItem
from chalicelib.store.transaction import Transaction


def item(entry: dict[str, Any]) -> dict[str, Any]:
    """The item of an entry (plain values), which expires at its ``ttl``."""
    return AuditItem.keys(entry["contact_id"], entry["at"], entry["id"]) | entry


def add(tx: Transaction, entry: dict[str, Any] | None) -> None:
    """Write ``entry`` in the same transaction as the change it records."""
    if entry is not None:
        tx.put(item(entry))


def _entry(raw: dict[str, Any]) -> AuditEntry:
    found = {k: raw.get(k) for k in AuditEntry.model_fields}
    if isinstance(found["fields"], dict):  # written before entries held names only
        found["fields"] = sorted(found["fields"])
    found["fields"] = found["fields"] or []
    return AuditEntry.model_validate(found)


def of_contact(contact_id: str, limit: int, page_cursor: str | None) -> tuple[list[AuditEntry], str | None]:
    """A contact's changes, newest first."""
    pk = AuditItem.pk_of(contact_id)
    items, next_cursor = query_page(pk, page_cursor, KeyConditionExpression="PK = :pk",
                                    ExpressionAttributeValues={":pk": value(pk)}, ScanIndexForward=False,
                                    ConsistentRead=True, Limit=limit)
    return [_entry(i) for i in items], next_cursor


GSI_KEY = ALL_KEYS


def in_period(days: list[str], start: str, end: str, limit: int, page_cursor: str | None
              ) -> tuple[list[AuditEntry], str | None]:
    """Changes between ``start`` and ``end`` (ISO instants), oldest first: one
    Query a day of ``days`` until the page is full. The cursor names the day
    it stopped in (its GSI1PK)."""
    resume = cursor.decode("audit", page_cursor, key_names=GSI_KEY)
    if resume:
        day = AuditItem.day_of(deserialize(resume)["GSI1PK"])
        days = [d for d in days if d >= day]
        if not deserialize(resume)["PK"]:  # "start at this day": a page that stopped between days
            resume = None
    found: list[AuditEntry] = []
    for day in days:
        if not metering.budget_left(reserve=2):
            # The request's call cap: the next page starts at this day.
            return found, cursor.encode("audit", serialize({"PK": "", "SK": "", "GSI1PK": AuditItem.day_pk(day),
                                                            "GSI1SK": ""}))
        params: dict[str, Any] = {
            "IndexName": CONTACTS_GSI, "Limit": limit - len(found),
            "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK BETWEEN :start AND :end",
            "ExpressionAttributeValues": {":pk": value(AuditItem.day_pk(day)), ":start": value(start),
                                          ":end": value(end + "~")}}
        if resume and deserialize(resume)["GSI1PK"] == AuditItem.day_pk(day):
            params["ExclusiveStartKey"] = resume
        reply = call("query", **params)
        found += [_entry(deserialize(i)) for i in reply.get("Items", [])]
        last = reply.get("LastEvaluatedKey")
        if len(found) >= limit:
            if last is None and day == days[-1]:
                return found, None
            last = last or {k: v for k, v in reply["Items"][-1].items() if k in GSI_KEY}
            return found, cursor.encode("audit", last)
    return found, None


def all_of_contact(contact_id: str) -> list[AuditEntry]:
    """Every change of a contact (an access request), oldest first."""
    return [_entry(r) for r in records.read_partition(AuditItem.pk_of(contact_id))]


def scrub(contact_id: str, facts: tuple[str, ...]) -> int:
    """Rewrite a contact's entries keeping only ``facts`` and the names of the
    changed fields (entries written before the trail held names only kept
    values); the number rewritten."""
    rewritten = 0
    for raw in records.read_partition(AuditItem.pk_of(contact_id), keep_keys=True):
        fields = raw.get("fields")
        extra = set(raw) - set(facts) - {"fields", *STORAGE_ATTRIBUTES, "ttl"}
        if not isinstance(fields, dict) and not extra:
            continue
        kept = {k: v for k, v in raw.items() if k in facts or k in (*STORAGE_ATTRIBUTES, "ttl")}
        kept["fields"] = sorted(fields) if isinstance(fields, dict) else (fields or [])
        call("put_item", Item=serialize(kept))
        rewritten += 1
    return rewritten
