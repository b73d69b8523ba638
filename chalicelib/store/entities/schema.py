"""The schema and the mapping rules.

- ``SCHEMA`` / ``ATTR#<id>``: a schema attribute; ``SCHEMA`` / ``KEY#<key>`` reserves its key.
- ``MAPPING`` / ``RULE#<id>``: a mapping rule.
"""
from __future__ import annotations

from chalicelib.models.mapping import Rule
from chalicelib.models.schema import Attribute
from chalicelib.store.entities import Entity, Key

SCHEMA_PK = "SCHEMA"


class AttributeItem(Entity):
    name, pk, sk, shared_pk = "attribute", SCHEMA_PK, "ATTR#", True
    record = Attribute

    @classmethod
    def keys(cls, attribute_id: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{attribute_id}"}


class AttributeKeyItem(Entity):
    name, pk, sk, shared_pk = "attribute_key_claim", SCHEMA_PK, "KEY#", True

    @classmethod
    def keys(cls, key: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{key}"}


class RuleItem(Entity):
    name, pk, sk, shared_pk = "mapping_rule", "MAPPING", "RULE#", True
    record = Rule

    @classmethod
    def keys(cls, rule_id: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{rule_id}"}
