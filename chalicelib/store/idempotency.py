"""Idempotency records: one item per (caller, route, ``Idempotency-Key``),
kept a day (TTL), holding the request body's hash and, once answered, the
answer. Claimed with a conditional put, so two retries racing each other
cannot both run the request."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.store import records
from chalicelib.store.codec import serialize
from chalicelib.store.dynamo import call
from chalicelib.store.entities.idempotency import Claim, IdempotencyItem


def key(digest: str) -> dict[str, str]:
    return IdempotencyItem.keys(digest)


def claim(digest: str, body_hash: str, ttl: int) -> Claim | None:
    """Claim the key for this request; None when claimed, else the claim
    already there (in progress, or answered)."""
    item = key(digest) | {"body_hash": body_hash, "state": "running", "ttl": ttl}
    try:
        call("put_item", Item=serialize(item), ConditionExpression="attribute_not_exists(PK)")
        return None
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
    found = records.get(key(digest))
    if found is None:  # released between the two calls: as good as running
        return Claim(body_hash=body_hash, state="running")
    return IdempotencyItem.from_item(found)


def answered(digest: str, body_hash: str, ttl: int, answer: dict[str, Any]) -> None:
    item = key(digest) | {"body_hash": body_hash, "state": "answered", "ttl": ttl,
                          "answer": answer}
    call("put_item", Item=serialize(item))


def release(digest: str) -> None:
    """Forget a claim whose request failed, so a retry runs it again."""
    call("delete_item", Key=serialize(key(digest)))
