"""One multi-item change, described item by item and written as one
``TransactWriteItems`` (in the spirit of PynamoDB's ``TransactWrite``).

Store modules add what a change writes (a contact put on its version, its
index entries, an audit entry, a guard that a number is not suppressed) and
commit once; every step returns its position, so a cancelled transaction
can say which condition failed. Services never see an action dict: they
describe the change to a store function, which builds the transaction here.
"""
from __future__ import annotations

from typing import Any

from chalicelib.core.errors import TooLarge
from chalicelib.store.codec import deserialize, serialize, value
from chalicelib.store.dynamo import transact

MAX_ITEMS = 100  # DynamoDB's limit for one TransactWriteItems


class Cancelled(Exception):
    """The transaction was cancelled; ``reasons`` has one entry per step."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__("transaction cancelled: " + ", ".join(str(r.get("Code")) for r in reasons))
        self.reasons = reasons

    def failed(self, step: int | None) -> bool:
        """Whether the condition of ``step`` (a position ``add`` returned) failed."""
        return step is not None and step < len(self.reasons) and \
            self.reasons[step].get("Code") == "ConditionalCheckFailed"

    def old(self, step: int) -> dict[str, Any] | None:
        """The item ``step`` found when its condition failed (asked with ``return_old``)."""
        item = self.reasons[step].get("Item") if self.failed(step) else None
        return deserialize(item) if item else None

    @property
    def codes(self) -> list[str | None]:
        return [r.get("Code") for r in self.reasons]


class Transaction:
    def __init__(self) -> None:
        self._actions: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self._actions)

    def put(self, item: dict[str, Any], *, only_if: str | None = None, values: dict[str, Any] | None = None,
            return_old: bool = False, names: dict[str, str] | None = None) -> int:
        """Put ``item`` (plain values, keys included), if ``only_if`` holds
        (``names``: attribute names the condition spells as ``#placeholders``)."""
        return self._add("Put", {"Item": serialize(item)}, only_if, values, return_old, names)

    def put_new(self, item: dict[str, Any], *, return_old: bool = False) -> int:
        """Put ``item`` only where nothing is stored under its key."""
        return self.put(item, only_if="attribute_not_exists(PK)", return_old=return_old)

    def delete(self, key: dict[str, Any], *, only_if: str | None = None, values: dict[str, Any] | None = None,
               return_old: bool = False) -> int:
        return self._add("Delete", {"Key": serialize(key)}, only_if, values, return_old)

    def update(self, key: dict[str, Any], expression: str, values: dict[str, Any],
               names: dict[str, str] | None = None) -> int:
        """Change attributes of the item at ``key`` (created if missing), unconditionally."""
        return self._add("Update", {"Key": serialize(key), "UpdateExpression": expression}, None, values, False,
                         names)

    def check(self, key: dict[str, Any], condition: str, values: dict[str, Any] | None = None, *,
              return_old: bool = False, names: dict[str, str] | None = None) -> int:
        """Write nothing, but go through only while ``condition`` holds for ``key``."""
        return self._add("ConditionCheck", {"Key": serialize(key)}, condition, values, return_old, names)

    def _add(self, kind: str, action: dict[str, Any], condition: str | None, values: dict[str, Any] | None,
             return_old: bool, names: dict[str, str] | None = None) -> int:
        if condition:
            action["ConditionExpression"] = condition
        if names:
            action["ExpressionAttributeNames"] = names
        if values:
            action["ExpressionAttributeValues"] = {name: value(v) for name, v in values.items()}
        if return_old:
            action["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        self._actions.append({kind: action})
        return len(self._actions) - 1

    def commit(self) -> None:
        """Write every step or none; ``Cancelled`` if a condition failed (a
        mere conflict with another transaction is retried in ``transact``)."""
        if len(self._actions) > MAX_ITEMS:
            raise TooLarge(f"this change would write {len(self._actions)} items at once; "
                           f"at most {MAX_ITEMS} can change together")
        if not self._actions:
            return
        reasons = transact(self._actions)
        if reasons is not None:
            raise Cancelled(reasons)
