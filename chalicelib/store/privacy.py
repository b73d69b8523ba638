"""Privacy records: the suppression list (keyed hashes of erased numbers and
addresses), erasure receipts and the work a running erasure still has."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.store import keys, records
from chalicelib.store.codec import serialize
from chalicelib.store.dynamo import batch_get, call


def suppressed(digests: Iterable[str]) -> set[str]:
    """Which of these hashes are suppressed (one BatchGetItem per 100)."""
    wanted = list(dict.fromkeys(digests))
    if not wanted:
        return set()
    found = batch_get(serialize(keys.suppression(d)) for d in wanted)
    return {i["PK"].removeprefix("SUPPRESS#") for i in found}


def is_suppressed(digest: str) -> bool:
    return records.get(keys.suppression(digest)) is not None


def suppress(digest: str, record: dict[str, Any]) -> None:
    """Suppress (again: harmless); listed for administrators."""
    records.put_together([(keys.suppression(digest), record, False),
                          (keys.suppression_listing(digest), record, False)])


def lift(digest: str) -> bool:
    """Lift a suppression; False if there was none."""
    if not is_suppressed(digest):
        return False
    records.put_together([(keys.suppression(digest), None, False), (keys.suppression_listing(digest), None, False)])
    return True


def suppressions() -> list[dict[str, Any]]:
    return records.read_partition(keys.SUPPRESSED_PK)


def save_receipt(erasure_id: str, receipt: dict[str, Any]) -> None:
    records.put(keys.erasure(erasure_id), receipt)


def receipt(erasure_id: str) -> dict[str, Any] | None:
    return records.get(keys.erasure(erasure_id))


def running_erasures() -> list[str]:
    return [r["id"] for r in records.read_partition(keys.PRIVACY_PK, keys.ERASURE_PREFIX)
            if r.get("state") == "running" and "id" in r]


def save_work(erasure_id: str, work: dict[str, Any]) -> None:
    records.put(keys.erasure_work(erasure_id), work)


def work(erasure_id: str) -> dict[str, Any] | None:
    return records.get(keys.erasure_work(erasure_id))


def drop_work(erasure_id: str) -> None:
    call("delete_item", Key=serialize(keys.erasure_work(erasure_id)))


def seen_and_suppressed(numbers: list[tuple[str, str]], digests: Iterable[str]
                        ) -> tuple[set[tuple[str, str]], set[str]]:
    """In one BatchGetItem (per 100 keys): which of these (kind, value)
    numbers have called, and which of these hashes are suppressed."""
    numbers, digests = list(dict.fromkeys(numbers)), list(dict.fromkeys(digests))
    wanted = [serialize(keys.caller_seen(k, v)) for k, v in numbers] + [serialize(keys.suppression(d)) for d in digests]
    if not wanted:
        return set(), set()
    found = {i["PK"] for i in batch_get(wanted)}
    seen = {(k, v) for k, v in numbers if keys.caller_seen(k, v)["PK"] in found}
    return seen, {d for d in digests if keys.suppression(d)["PK"] in found}
