"""Applying a changed retention to stored items: one page at a time of the
items of a kind (by day through GSI1, or a small partition), and their TTL
set or removed. Every kind is listed by a Query, never by reading the whole table."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.store import interactions, records
from chalicelib.store.codec import deserialize, serialize, value
from chalicelib.store.dynamo import call
from chalicelib.store.entities import CONTACTS_GSI
from chalicelib.store.entities.audit import AuditItem
from chalicelib.store.entities.calls import CallItem
from chalicelib.store.entities.privacy import (
    PRIVACY_PK,
    ErasureItem,
    ErasureWorkItem,
    RetentionJobItem,
    StoredRetentionJob,
)
from chalicelib.store.entities.sync import SYNC_PK, SyncRunItem

# How each kind's items are listed: by the day of GSI1 they sit in (the keys of
# a day), or as one partition.
LISTINGS: dict[str, tuple[Any, ...]] = {
    # A day's calls: under its one key (trees not rewritten since calls were
    # spread), then its shards, read only if a marker says the day has some.
    "interactions": ("day", lambda day: [CallItem.day_pk(day)], interactions.day_is_marked,
                     CallItem.day_shard_pks),
    "audit": ("day", lambda day: [AuditItem.day_pk(day)], lambda day: False, lambda day: []),
    "erasure_receipts": ("partition", PRIVACY_PK, ErasureItem.sk),
    "sync_runs": ("partition", SYNC_PK, SyncRunItem.sk),
}


def listed_by_day(kind: str) -> bool:
    return LISTINGS[kind][0] == "day"


def page(kind: str, day: str, start: dict[str, Any] | None, limit: int
         ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of a kind's items (of ``day`` when listed by day), and where the next starts."""
    listing = LISTINGS[kind]
    if listing[0] == "day":
        return _day_keys_page(listing, day, start, limit)
    items, last = partition_page(listing[1], listing[2], start, limit)
    return [i for i in items if not ErasureWorkItem.is_work(i["SK"])], last  # a running erasure's work is not a receipt


def _day_keys_page(listing: tuple[Any, ...], day: str, start: dict[str, Any] | None, limit: int
                   ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of a day's items over its keys, in order: its first keys,
    then, if its marker says it has any, the others. ``start``
    (``{"at": key index, "key": where in that key}``) says where the last
    page stopped; the marker is read once, when the first keys are done."""
    _, first_keys, is_marked, more_keys = listing
    if start is not None and "at" not in start:  # a job begun when a day had one key
        start = {"at": 0, "key": start}
    at, key = (start["at"], start["key"]) if start else (0, None)
    first = first_keys(day)
    pks = first + (more_keys(day) if at >= len(first) else [])
    items, last = day_page(pks[at], key, limit)
    if last is not None:
        return items, {"at": at, "key": last}
    if at + 1 < len(pks) or (at + 1 == len(first) and is_marked(day)):
        return items, {"at": at + 1, "key": None}
    return items, None


def day_page(pk: str, start: dict[str, Any] | None, limit: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of the items GSI1 lists under ``pk`` (a day), and where the next starts (typed)."""
    params: dict[str, Any] = {"IndexName": CONTACTS_GSI, "KeyConditionExpression": "GSI1PK = :pk",
                              "ExpressionAttributeValues": {":pk": value(pk)}, "Limit": limit}
    if start:
        params["ExclusiveStartKey"] = start
    reply = call("query", **params)
    return [deserialize(i) for i in reply.get("Items", [])], reply.get("LastEvaluatedKey")


def partition_page(pk: str, prefix: str, start: dict[str, Any] | None, limit: int
                   ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    params: dict[str, Any] = {"KeyConditionExpression": "PK = :pk AND begins_with(SK, :p)", "Limit": limit,
                              "ExpressionAttributeValues": {":pk": value(pk), ":p": value(prefix)}}
    if start:
        params["ExclusiveStartKey"] = start
    reply = call("query", **params)
    return [deserialize(i) for i in reply.get("Items", [])], reply.get("LastEvaluatedKey")


def set_ttl(key: dict[str, str], ttl: int | None) -> bool:
    """Set (or with None remove) an item's TTL, if the item still exists."""
    update = {"UpdateExpression": "SET #ttl = :ttl", "ExpressionAttributeValues": {":ttl": value(ttl)}} if ttl \
        else {"UpdateExpression": "REMOVE #ttl"}
    try:
        call("update_item", Key=serialize({"PK": key["PK"], "SK": key["SK"]}), ConditionExpression="attribute_exists(PK)",
             ExpressionAttributeNames={"#ttl": "ttl"}, **update)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def save_job(job: StoredRetentionJob) -> None:
    records.put(RetentionJobItem.keys(job.id), asdict(job))


def job(job_id: str) -> StoredRetentionJob | None:
    found = records.get(RetentionJobItem.keys(job_id))
    return RetentionJobItem.from_item(found) if found else None


def running_jobs() -> list[StoredRetentionJob]:
    return [RetentionJobItem.from_item(j) for j in records.read_partition(PRIVACY_PK, RetentionJobItem.sk)
            if j.get("state") == "running"]
