"""The table's definition: one source for the tests, the local bootstrap and
the deploy template."""
from __future__ import annotations

from typing import Any

from chalicelib.store.entities import ALL_KEYS

TTL_ATTRIBUTE = "ttl"


def table_definition(table_name: str) -> dict[str, Any]:
    """Keyword arguments for ``CreateTable`` (on-demand billing)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        # Every change leaves as an outbound event (docs/events.md): the stream
        # function reads both images to say what changed.
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in ALL_KEYS
        ],
        "KeySchema": [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }
