"""The contact-center sync's state (watermark and lease), its recent runs,
and the write-backs still to send."""
from __future__ import annotations

from dataclasses import asdict

from chalicelib.models.sync import SyncRun
from chalicelib.store import records
from chalicelib.store.entities.sync import (
    SYNC_PK,
    PendingWriteBack,
    SyncRunItem,
    SyncState,
    SyncStateItem,
    WriteBackItem,
)


def state() -> SyncState | None:
    found = records.get(SyncStateItem.keys())
    return SyncStateItem.from_item(found) if found else None


def put_state(new: SyncState, *, lease_was: float | None) -> None:
    """Save the state if its lease is still ``lease_was`` (None: only if there
    is no state yet); else Conflict, so only one run holds the lease."""
    if lease_was is None:
        records.put(SyncStateItem.keys(), asdict(new), new=True)
    else:
        records.put(SyncStateItem.keys(), asdict(new), expect={"lease_until": lease_was})


def add_run(run: SyncRun, ttl: int | None) -> None:
    records.put(SyncRunItem.keys(run.started_at), run.model_dump(by_alias=True) | ({"ttl": ttl} if ttl else {}))


def recent_runs(limit: int) -> list[SyncRun]:
    return [SyncRunItem.from_item(r) for r in
            records.read_partition(SYNC_PK, SyncRunItem.sk, newest_first=True, limit=limit)]


def put_writeback(pending: PendingWriteBack) -> None:
    records.put(WriteBackItem.keys(pending.id), asdict(pending))


def drop_writeback(record_id: str) -> None:
    records.put_together([(WriteBackItem.keys(record_id), None, False)])


def writebacks() -> list[PendingWriteBack]:
    return [WriteBackItem.from_item(r) for r in records.read_partition(SYNC_PK, WriteBackItem.sk)]
