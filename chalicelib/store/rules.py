"""Mapping rules: a small partition read whole."""
from __future__ import annotations

from chalicelib.models.mapping import Rule
from chalicelib.store import keys, records


def all_rules() -> list[Rule]:
    return [Rule.model_validate(r) for r in records.read_partition(keys.MAPPING_PK, keys.RULE_PREFIX)]


def add(rule: Rule) -> None:
    records.put(keys.mapping_rule(rule.id), rule.model_dump(), new=True)


def fetch(rule_id: str) -> Rule:
    return Rule.model_validate(records.fetch(keys.mapping_rule(rule_id), f"mapping rule {rule_id}"))


def replace(rule: Rule, *, updated_at_was: str) -> None:
    """Save the rule if nobody changed it since ``updated_at_was`` (else Conflict)."""
    records.put(keys.mapping_rule(rule.id), rule.model_dump(), expect={"updated_at": updated_at_was})


def delete(rule_id: str) -> None:
    records.delete(keys.mapping_rule(rule_id))
