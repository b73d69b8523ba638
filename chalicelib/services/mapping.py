"""Mapping rules: which IVR call variable holds which contact attribute.
Ordered by ``varNumber``, then creation; cached like the schema."""
from __future__ import annotations

from chalicelib.errors import Invalid, Unprocessable
from chalicelib.models.mapping import Rule, RuleFields
from chalicelib.services import schema, validation
from chalicelib.services.cache import Cached
from chalicelib.services.clock import new_id, now_iso
from chalicelib.services.ids import check_id
from chalicelib.settings import get_settings
from chalicelib.store import keys, records


def _load() -> list[Rule]:
    found = [Rule.model_validate(r) for r in records.read_partition(keys.MAPPING_PK, "RULE#")]
    return sorted(found, key=lambda r: (r.varNumber, r.created_at, r.id))


_cache: Cached[list[Rule]] = Cached(_load, lambda: get_settings().cache_seconds)


def rules() -> list[Rule]:
    return _cache.get()


def _check_key(key: str) -> None:
    attribute = schema.by_key().get(key)
    if attribute is None:
        raise Unprocessable(f"key: {key!r} is not an attribute of the schema")
    if validation.index_kind(attribute) is None:
        raise Unprocessable(f"key: {key!r} is not searchable; make it searchable in the schema first")


def _complete(data: dict) -> dict:
    if data.get("varNumber") is None:
        raise Invalid("varNumber: required")
    if not data.get("callVariable"):
        data["callVariable"] = f"callVariable{data['varNumber']}"
    if not data.get("key"):
        raise Invalid("key: required")
    _check_key(data["key"])
    return data


def create(fields: RuleFields) -> Rule:
    stamp = now_iso()
    data = _complete(fields.model_dump())
    rule = Rule.model_validate(data | {"id": new_id(), "created_at": stamp, "updated_at": stamp})
    records.put(keys.mapping_rule(rule.id), rule.model_dump(), new=True)
    _cache.invalidate()
    return rule


def _find(rule_id: str) -> Rule:
    check_id(rule_id)
    return Rule.model_validate(records.fetch(keys.mapping_rule(rule_id), f"mapping rule {rule_id}"))


def update(rule_id: str, fields: RuleFields) -> Rule:
    old = _find(rule_id)
    changes = fields.model_dump(exclude_unset=True)
    data = _complete(old.model_dump() | changes)
    rule = Rule.model_validate(data | {"updated_at": now_iso()})
    records.put(keys.mapping_rule(rule.id), rule.model_dump(), expect={"updated_at": old.updated_at})
    _cache.invalidate()
    return rule


def delete(rule_id: str) -> Rule:
    old = _find(rule_id)
    records.delete(keys.mapping_rule(rule_id))
    _cache.invalidate()
    return old
