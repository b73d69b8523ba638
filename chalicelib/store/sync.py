"""The contact-center sync's state (watermark and lease), its recent runs,
and the write-backs still to send."""
from __future__ import annotations

from typing import Any

from chalicelib.store import keys, records


def state() -> dict[str, Any] | None:
    return records.get(keys.sync_state())


def put_state(new: dict[str, Any], *, lease_was: float | None) -> None:
    """Save the state if its lease is still ``lease_was`` (None: only if there
    is no state yet); else Conflict, so only one run holds the lease."""
    if lease_was is None:
        records.put(keys.sync_state(), new, new=True)
    else:
        records.put(keys.sync_state(), new, expect={"lease_until": lease_was})


def add_run(outcome: dict[str, Any]) -> None:
    records.put(keys.sync_run(outcome["started_at"]), outcome)


def recent_runs(limit: int) -> list[dict[str, Any]]:
    return records.read_partition(keys.SYNC_PK, keys.SYNC_RUN_PREFIX, newest_first=True, limit=limit)


def put_writeback(pending: dict[str, Any]) -> None:
    records.put(keys.sync_writeback(pending["id"]), pending)


def drop_writeback(record_id: str) -> None:
    records.put_together([(keys.sync_writeback(record_id), None, False)])


def writebacks() -> list[dict[str, Any]]:
    return records.read_partition(keys.SYNC_PK, keys.SYNC_WRITEBACK_PREFIX)
