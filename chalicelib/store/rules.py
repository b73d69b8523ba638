"""Mapping rules: a small partition read whole."""
from __future__ import annotations

from typing import Any

from chalicelib.store import keys, records


def all_rules() -> list[dict[str, Any]]:
    return records.read_partition(keys.MAPPING_PK, keys.RULE_PREFIX)


def add(record: dict[str, Any]) -> None:
    records.put(keys.mapping_rule(record["id"]), record, new=True)


def fetch(rule_id: str) -> dict[str, Any]:
    return records.fetch(keys.mapping_rule(rule_id), f"mapping rule {rule_id}")


def replace(record: dict[str, Any], *, updated_at_was: str) -> None:
    """Save the rule if nobody changed it since ``updated_at_was`` (else Conflict)."""
    records.put(keys.mapping_rule(record["id"]), record, expect={"updated_at": updated_at_was})


def delete(rule_id: str) -> None:
    records.delete(keys.mapping_rule(rule_id))
