"""Who may call: ``APIKEYS`` / ``<sha256 of the key>`` is an API key (only
its hash is kept); ``DESKUSERS`` / ``<hash of issuer and subject>`` an agent
who signs in through the company's identity provider (no key of theirs exists)."""
from __future__ import annotations

from chalicelib.models.apikey import ApiKey
from chalicelib.store.entities import Entity, Key


class ApiKeyItem(Entity):
    name, pk, shared_pk = "api_key", "APIKEYS", True
    record = ApiKey

    @classmethod
    def keys(cls, key_hash: str) -> Key:
        return {"PK": cls.pk, "SK": key_hash}

    @staticmethod
    def hash_of(item: dict[str, str]) -> str:
        """The key hash an API key's item is stored under."""
        return item["SK"]


class DeskUserItem(Entity):
    name, pk, shared_pk = "desk_user", "DESKUSERS", True

    @classmethod
    def keys(cls, subject_hash: str) -> Key:
        return {"PK": cls.pk, "SK": subject_hash}
