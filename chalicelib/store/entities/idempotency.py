"""``IDEMPOTENCY#<digest>`` / ``IDEMPOTENCY``: a request's ``Idempotency-Key``
claimed, and the answer a replay gets."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.store.entities import Entity, Key, Record


@dataclass(frozen=True)
class Claim(Record):
    """What holds a key: the first request's body hash, and once it has
    answered, its answer (``{"status", "body", "headers"}``)."""
    body_hash: str
    state: str  # running | answered
    answer: dict[str, Any] | None = None



class IdempotencyItem(Entity):
    name, pk = "idempotency", "IDEMPOTENCY#"
    record = Claim

    @classmethod
    def keys(cls, digest: str) -> Key:
        return {"PK": f"{cls.pk}{digest}", "SK": "IDEMPOTENCY"}
