"""Small whole-item records (schema attributes, mapping rules, jobs, sync
state): get, put with a condition, delete, and read a partition."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.errors import Conflict, NotFound
from chalicelib.store.codec import deserialize, serialize, value
from chalicelib.store.dynamo import call
from chalicelib.store.entities import bare
from chalicelib.store.transaction import Cancelled, Transaction


def plain(item: dict[str, Any], keep_keys: bool = False) -> dict[str, Any]:
    """The record as its reader knows it: without keys and ``entity`` (unless ``keep_keys``)."""
    decoded = deserialize(item)
    return decoded if keep_keys else bare(decoded)


def get(key: dict[str, str]) -> dict[str, Any] | None:
    item = call("get_item", Key=serialize(key), ConsistentRead=True).get("Item")
    return plain(item) if item else None


def fetch(key: dict[str, str], what: str) -> dict[str, Any]:
    """The record at ``key``, or NotFound naming ``what``."""
    found = get(key)
    if found is None:
        raise NotFound(f"{what} not found")
    return found


def read_partition(pk: str, sk_prefix: str | None = None, *, keep_keys: bool = False,
                   newest_first: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
    """Every record of a (small) partition, or those whose SK starts with
    ``sk_prefix``; with ``limit``, only the first ``limit`` in SK order."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": value(pk)},
        "ConsistentRead": True,
        "ScanIndexForward": not newest_first,
    }
    if limit:
        params["Limit"] = limit
    if sk_prefix:
        params["KeyConditionExpression"] += " AND begins_with(SK, :prefix)"
        params["ExpressionAttributeValues"][":prefix"] = value(sk_prefix)
    while True:
        reply = call("query", **params)
        found += [plain(i, keep_keys) for i in reply.get("Items", [])]
        if "LastEvaluatedKey" not in reply or (limit and len(found) >= limit):
            return found[:limit] if limit else found
        params["ExclusiveStartKey"] = reply["LastEvaluatedKey"]


def count(pk: str) -> int:
    """How many items a partition holds (Select COUNT: reads keys, returns none)."""
    params: dict[str, Any] = {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": value(pk)},
                              "Select": "COUNT", "ConsistentRead": True}
    total = 0
    while True:
        reply = call("query", **params)
        total += reply.get("Count", 0)
        if "LastEvaluatedKey" not in reply:
            return total
        params["ExclusiveStartKey"] = reply["LastEvaluatedKey"]


def put(key: dict[str, str], record: dict[str, Any], *, expect: dict[str, Any] | None = None,
        new: bool = False) -> None:
    """Write ``record``. ``new``: only if absent (else Conflict); ``expect``:
    only if those attributes still hold those values (else Conflict)."""
    params: dict[str, Any] = {"Item": serialize(key | record)}
    params.update(_condition(new, expect))
    try:
        call("put_item", **params)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise Conflict("the record was changed or created concurrently; read it again") from None
        raise


def _condition(new: bool, expect: dict[str, Any] | None) -> dict[str, Any]:
    if new:
        return {"ConditionExpression": "attribute_not_exists(PK)"}
    if expect:
        names = {f"#c{i}": k for i, k in enumerate(expect)}
        values = {f":c{i}": value(v) for i, v in enumerate(expect.values())}
        clause = " AND ".join(f"#c{i} = :c{i}" for i in range(len(expect)))
        return {"ConditionExpression": clause, "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values}
    return {}


def delete(key: dict[str, str]) -> dict[str, Any] | None:
    """Delete and return the old record, or raise NotFound."""
    reply = call("delete_item", Key=serialize(key), ReturnValues="ALL_OLD")
    old = reply.get("Attributes")
    if not old:
        raise NotFound("not found")
    return plain(old)


def put_together(writes: list[tuple[dict[str, str], dict[str, Any] | None, bool]]) -> bool:
    """Atomically write (key, record, new) triples; a None record deletes.
    Returns False when a ``new`` record already existed."""
    tx = Transaction()
    for key, record, new in writes:
        if record is None:
            tx.delete(key)
        elif new:
            tx.put_new(key | record)
        else:
            tx.put(key | record)
    try:
        tx.commit()
    except Cancelled:
        return False
    return True
