"""The contact-center sync's state (watermark and lease), its recent runs,
and the write-backs still to send."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from chalicelib.models.sync import SyncRun
from chalicelib.store import keys, records


@dataclass
class SyncState(records.Record):
    """Where the pull stands: read up to ``watermark``; ``lease_until``: a
    run holds the lease until then (0: none does)."""
    watermark: str | None = None
    lease_until: float = 0
    last_started_at: str | None = None
    last_finished_at: str | None = None
    caught_up_at: str | None = None  # the start of the last pull that read everything


@dataclass(frozen=True)
class PendingWriteBack(records.Record):
    """A contact-center record still to be told its CIM contact."""
    id: str
    call_Id: str  # noqa: N815 - the API's name
    contact_id: str
    last_error: str | None = None


def state() -> SyncState | None:
    found = records.get(keys.sync_state())
    return SyncState.from_item(found) if found else None


def put_state(new: SyncState, *, lease_was: float | None) -> None:
    """Save the state if its lease is still ``lease_was`` (None: only if there
    is no state yet); else Conflict, so only one run holds the lease."""
    if lease_was is None:
        records.put(keys.sync_state(), asdict(new), new=True)
    else:
        records.put(keys.sync_state(), asdict(new), expect={"lease_until": lease_was})


def add_run(run: SyncRun, ttl: int | None) -> None:
    records.put(keys.sync_run(run.started_at), run.model_dump(by_alias=True) | ({"ttl": ttl} if ttl else {}))


def recent_runs(limit: int) -> list[SyncRun]:
    return [SyncRun.model_validate(r) for r in
            records.read_partition(keys.SYNC_PK, keys.SYNC_RUN_PREFIX, newest_first=True, limit=limit)]


def put_writeback(pending: PendingWriteBack) -> None:
    records.put(keys.sync_writeback(pending.id), asdict(pending))


def drop_writeback(record_id: str) -> None:
    records.put_together([(keys.sync_writeback(record_id), None, False)])


def writebacks() -> list[PendingWriteBack]:
    return [PendingWriteBack.from_item(r) for r in records.read_partition(keys.SYNC_PK, keys.SYNC_WRITEBACK_PREFIX)]
