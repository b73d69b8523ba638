"""Mapping rules: a small partition read whole."""
from __future__ import annotations

from chalicelib.models.mapping import Rule
from chalicelib.store import records
from chalicelib.store.entities.schema import RuleItem


def all_rules() -> list[Rule]:
    return [RuleItem.from_item(r) for r in records.read_partition(RuleItem.pk, RuleItem.sk)]


def add(rule: Rule) -> None:
    records.put(RuleItem.keys(rule.id), rule.model_dump(), new=True)


def fetch(rule_id: str) -> Rule:
    return RuleItem.from_item(records.fetch(RuleItem.keys(rule_id), f"mapping rule {rule_id}"))


def replace(rule: Rule, *, updated_at_was: str) -> None:
    """Save the rule if nobody changed it since ``updated_at_was`` (else Conflict)."""
    records.put(RuleItem.keys(rule.id), rule.model_dump(), expect={"updated_at": updated_at_was})


def delete(rule_id: str) -> None:
    records.delete(RuleItem.keys(rule_id))
