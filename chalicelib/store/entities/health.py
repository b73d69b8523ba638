"""``HEALTH`` / ``HEALTH``: read by the health check (never written)."""
from __future__ import annotations

from chalicelib.store.entities import Entity, Key


class HealthItem(Entity):
    name, pk, shared_pk = "health", "HEALTH", True

    @classmethod
    def keys(cls) -> Key:
        return {"PK": cls.pk, "SK": cls.pk}
