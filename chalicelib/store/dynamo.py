"""Thin helpers over the DynamoDB client: table name, typed queries, batch
reads with retry of unprocessed keys, and transaction error decoding."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.errors import Invalid, Unavailable
from chalicelib.core.settings import get_settings
from chalicelib.store import aws, cursor, entities
from chalicelib.store.codec import deserialize, value
from chalicelib.store.entities import ENTITY, TABLE_KEY

BATCH_GET_MAX = 100
BATCH_WRITE_MAX = 25


def table_name() -> str:
    return get_settings().table_name


_UNAVAILABLE = {
    "ResourceNotFoundException", "ProvisionedThroughputExceededException", "ThrottlingException",
    "RequestLimitExceeded", "InternalServerError", "ServiceUnavailable",
}


@contextmanager
def reaching_the_table() -> Iterator[None]:
    """A missing, throttled or unreachable table is ``Unavailable`` (503), not a bug."""
    try:
        yield
    except ClientError as error:
        if error.response["Error"]["Code"] in _UNAVAILABLE:
            raise Unavailable("the table is not reachable; try again") from error
        if error.response["Error"]["Code"] == "ValidationException":
            # An item the table cannot hold (size, key length, number range) that the
            # edge checks let through: the client's input, not our bug.
            raise Invalid("the table cannot store this item (too large, or a value out of range)") from error
        raise
    except BotoCoreError as error:
        raise Unavailable("the table is not reachable; try again") from error


def stamped(item: dict[str, Any]) -> dict[str, Any]:
    """A typed item with its ``entity`` (from its key) unless it names one."""
    if ENTITY in item:
        return item
    return item | {ENTITY: {"S": entities.entity_of(item["PK"]["S"], item["SK"]["S"])}}


def call(operation: str, **params: Any) -> dict[str, Any]:
    if operation == "put_item":
        params["Item"] = stamped(params["Item"])
    with reaching_the_table():
        return getattr(aws.dynamodb(), operation)(TableName=table_name(), **params)


def transact(actions: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Write ``actions`` atomically. Returns None on success, else the
    cancellation reasons (one per action, ``Code`` and maybe ``Item``)."""
    table = table_name()
    for action in actions:
        step = next(iter(action.values()))
        step["TableName"] = table
        if "Item" in step:
            step["Item"] = stamped(step["Item"])
    for attempt in range(CONFLICT_ATTEMPTS):
        with reaching_the_table():
            try:
                aws.dynamodb().transact_write_items(TransactItems=actions)
                return None
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons") or [{"Code": "Unknown"}]
        if not _only_conflicts(reasons):
            return reasons
        time.sleep(0.02 * 2 ** attempt)  # another transaction held an item: the same write can go through
    raise Unavailable("the table is busy with other writes to the same items; try again", retry_after=1)


CONFLICT_ATTEMPTS = 4


def _only_conflicts(reasons: list[dict[str, Any]]) -> bool:
    """Cancelled only because another transaction was changing one of the
    items at the same moment: nothing this write asked for failed."""
    codes = {r.get("Code") for r in reasons}
    return "TransactionConflict" in codes and codes <= {"TransactionConflict", "None", None}


def _until_processed(send: Callable[[dict[str, Any]], dict[str, Any]], request: dict[str, Any],
                     attempts: int, cap: float, refusing: str) -> None:
    """Send a batch request and then whatever the table left unprocessed,
    backing off exponentially; ``Unavailable`` if it keeps refusing."""
    for attempt in range(attempts):
        with reaching_the_table():
            request = send(request)
        if not request:
            return
        time.sleep(min(0.05 * 2 ** attempt, cap))  # throttled: back off, retry the rest
    raise Unavailable(f"the table is throttling {refusing}; try again")


def batch_get(keys: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """All items found for ``keys`` (typed keys), deserialised, in any order."""
    pending = list(keys)
    found: list[dict[str, Any]] = []
    table = table_name()
    client = aws.dynamodb()

    def send(request: dict[str, Any]) -> dict[str, Any]:
        reply = client.batch_get_item(RequestItems=request)
        found.extend(deserialize(item) for item in reply["Responses"].get(table, []))
        return reply.get("UnprocessedKeys") or {}

    for start in range(0, len(pending), BATCH_GET_MAX):
        _until_processed(send, {table: {"Keys": pending[start:start + BATCH_GET_MAX], "ConsistentRead": True}},
                         attempts=6, cap=1.0, refusing="reads")
    return found


def batch_write(items: list[dict[str, Any]]) -> None:
    """Put ``items`` (typed), 25 a BatchWriteItem, retrying unprocessed ones
    with backoff; ``Unavailable`` if the table keeps refusing them."""
    table = table_name()
    client = aws.dynamodb()

    def send(request: dict[str, Any]) -> dict[str, Any]:
        return client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    for start in range(0, len(items), BATCH_WRITE_MAX):
        _until_processed(send, {table: [{"PutRequest": {"Item": stamped(i)}} for i in items[start:start + BATCH_WRITE_MAX]]},
                         attempts=8, cap=2.0, refusing="writes")


def batch_delete(typed_keys: list[dict[str, Any]]) -> None:
    """Delete the items at ``typed_keys``, 25 a BatchWriteItem, retrying
    unprocessed ones; ``Unavailable`` if the table keeps refusing."""
    table = table_name()
    client = aws.dynamodb()

    def send(request: dict[str, Any]) -> dict[str, Any]:
        return client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    for start in range(0, len(typed_keys), BATCH_WRITE_MAX):
        chunk = typed_keys[start:start + BATCH_WRITE_MAX]
        _until_processed(send, {table: [{"DeleteRequest": {"Key": k}} for k in chunk]},
                         attempts=8, cap=2.0, refusing="deletes")


def query_page(scope: str, page_cursor: str | None, keep: int | None = None,
               key_names: tuple[str, ...] = TABLE_KEY, **params: Any) -> tuple[list[dict[str, Any]], str | None]:
    """One Query page of a listing named ``scope``, from a signed cursor to the next.

    ``keep``: a filtered Query may read (``Limit``) more than a page; at most
    ``keep`` items are returned and the cursor then points after the last one
    kept (base-table keys). ``key_names``: the keys a start key names (a
    GSI listing's cursor names the index's keys too)."""
    start = cursor.decode(scope, page_cursor, key_names)
    if start:
        params["ExclusiveStartKey"] = start
    reply = call("query", **params)
    items = [deserialize(i) for i in reply.get("Items", [])]
    last = reply.get("LastEvaluatedKey")
    if keep is not None and len(items) > keep:
        items = items[:keep]
        last = {"PK": {"S": items[-1]["PK"]}, "SK": {"S": items[-1]["SK"]}}
    return items, cursor.encode(scope, last)


def query_partitions(scope: str, pks: list[str], page_cursor: str | None, limit: int,
                     newest_first: bool = True) -> tuple[list[dict[str, Any]], str | None]:
    """One page across several partitions of the same kind (a contact and
    those merged into it), in sort-key order: one Query each, at most
    ``limit`` items kept; the signed cursor holds the last sort key kept."""
    start = cursor.decode(scope, page_cursor)
    found: list[dict[str, Any]] = []
    more = False
    for pk in pks:
        params: dict[str, Any] = {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": value(pk)},
                                  "ScanIndexForward": not newest_first, "ConsistentRead": True, "Limit": limit}
        if start:
            params["KeyConditionExpression"] += " AND SK < :after" if newest_first else " AND SK > :after"
            params["ExpressionAttributeValues"][":after"] = start["SK"]
        reply = call("query", **params)
        found += [deserialize(i) for i in reply.get("Items", [])]
        more = more or "LastEvaluatedKey" in reply
    found.sort(key=lambda i: i["SK"], reverse=newest_first)
    kept = found[:limit]
    if kept and (more or len(found) > limit):
        return kept, cursor.encode(scope, {"PK": {"S": pks[0]}, "SK": {"S": kept[-1]["SK"]}})
    return kept, None
