"""Mapping rules: which IVR call variable holds which contact attribute.
Ordered by ``varNumber``, then creation; cached like the schema."""
from __future__ import annotations

from chalicelib.core.cache import Cached
from chalicelib.core.clock import now_iso
from chalicelib.core.errors import Invalid, Unprocessable
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.domain import validation
from chalicelib.models.mapping import Rule, RuleFields
from chalicelib.services.schema import schema
from chalicelib.store import rules as rules_store


def _load() -> list[Rule]:
    found = rules_store.all_rules()
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
    rules_store.add(rule)
    _cache.invalidate()
    return rule


def _find(rule_id: str) -> Rule:
    check_id(rule_id)
    return rules_store.fetch(rule_id)


def update(rule_id: str, fields: RuleFields) -> Rule:
    old = _find(rule_id)
    changes = fields.model_dump(exclude_unset=True)
    data = _complete(old.model_dump() | changes)
    rule = Rule.model_validate(data | {"updated_at": now_iso()})
    rules_store.replace(rule, updated_at_was=old.updated_at)
    _cache.invalidate()
    return rule


def delete(rule_id: str) -> Rule:
    old = _find(rule_id)
    rules_store.delete(rule_id)
    _cache.invalidate()
    return old
