"""API keys, kept under the SHA-256 hash of the secret (never the secret).

The last-used time is written with a condition that the key is not revoked,
so a request that was in flight while the key was revoked can never write
the revocation away."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.models.apikey import ApiKey
from chalicelib.store import records
from chalicelib.store.codec import serialize, value
from chalicelib.store.dynamo import call
from chalicelib.store.entities.access import ApiKeyItem


@dataclass(frozen=True)
class StoredKey:
    key_hash: str
    key: ApiKey
    signed_out_at: str | None = None  # the key's desk sessions begun before this are over


def _key(record: dict[str, Any]) -> ApiKey:
    return ApiKeyItem.from_item(record)


def add(key_hash: str, key: ApiKey) -> None:
    records.put(ApiKeyItem.keys(key_hash), key.model_dump(), new=True)


def get(key_hash: str) -> StoredKey | None:
    record = records.get(ApiKeyItem.keys(key_hash))
    return StoredKey(key_hash, _key(record), record.get("signed_out_at")) if record else None


def all_keys() -> list[StoredKey]:
    return [StoredKey(ApiKeyItem.hash_of(r), _key(r), r.get("signed_out_at"))
            for r in records.read_partition(ApiKeyItem.pk, None, keep_keys=True)]


def revoke(key_hash: str) -> ApiKey | None:
    """Mark the key revoked (an UpdateItem of that one attribute, so no
    concurrent write of another attribute can undo it); the record after, or
    None if there is no such key."""
    try:
        reply = call("update_item", Key=serialize(ApiKeyItem.keys(key_hash)),
                     UpdateExpression="SET revoked = :yes", ConditionExpression="attribute_exists(PK)",
                     ExpressionAttributeValues={":yes": value(True)}, ReturnValues="ALL_NEW")
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise
    return _key(records.plain(reply["Attributes"]))


def touch(key_hash: str, used_at: str, last_seen: str | None) -> bool:
    """Set the last-used time if the key is still unrevoked and nobody
    touched it since ``last_seen``; False otherwise (nothing written)."""
    condition = "attribute_exists(PK) AND (attribute_not_exists(revoked) OR revoked = :no)"
    values = {":now": value(used_at), ":no": value(False)}
    if last_seen is None:  # never used: the attribute is absent or null
        condition += " AND (attribute_not_exists(last_used_at) OR attribute_type(last_used_at, :null))"
        values[":null"] = value("NULL")
    else:
        condition += " AND last_used_at = :last"
        values[":last"] = value(last_seen)
    try:
        call("update_item", Key=serialize(ApiKeyItem.keys(key_hash)), UpdateExpression="SET last_used_at = :now",
             ConditionExpression=condition, ExpressionAttributeValues=values)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def sign_out(key_hash: str, at: str) -> None:
    """End every desk session of the key begun before ``at`` (one attribute,
    so it cannot undo a revocation or be undone by a touch)."""
    try:
        call("update_item", Key=serialize(ApiKeyItem.keys(key_hash)), UpdateExpression="SET signed_out_at = :at",
             ConditionExpression="attribute_exists(PK)", ExpressionAttributeValues={":at": value(at)})
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
