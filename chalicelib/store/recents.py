"""The contacts an agent opened lately: one item per agent and contact
(opening it again moves it up), listed newest first on GSI1, gone after
``DAYS`` (TTL). Only ids: the names are read from the contacts themselves,
so an erased contact simply drops out."""
from __future__ import annotations

import time

from chalicelib.store.codec import serialize, value
from chalicelib.store.dynamo import call
from chalicelib.store.entities import CONTACTS_GSI
from chalicelib.store.entities.followups import RecentItem

DAYS = 30


def opened(agent: str, contact_id: str, at: str) -> None:
    item = RecentItem.keys(agent, contact_id, at) | {"contact_id": contact_id,
                                                          "ttl": int(time.time()) + DAYS * 86400}
    call("put_item", Item=serialize(item))


def latest(agent: str, limit: int) -> list[str]:
    """The contact ids ``agent`` opened, newest first (one Query on GSI1)."""
    reply = call("query", IndexName=CONTACTS_GSI, Limit=limit, ScanIndexForward=False,
                 KeyConditionExpression="GSI1PK = :pk", ExpressionAttributeValues={":pk": value(RecentItem.pk_of(agent))})
    return [i["contact_id"]["S"] for i in reply.get("Items", [])]
