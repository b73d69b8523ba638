"""The contact-center sync, in the ``SYNC`` partition: ``STATE`` its
watermark and lease, ``RUN#<started_at>`` one run's outcome, ``WB#<id>`` a
write-back still to send."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.models.sync import SyncRun
from chalicelib.store.entities import Entity, Key, Record


@dataclass
class SyncState(Record):
    """Where the pull stands: read up to ``watermark``; ``lease_until``: a
    run holds the lease until then (0: none does)."""
    watermark: str | None = None
    lease_until: float = 0
    last_started_at: str | None = None
    last_finished_at: str | None = None
    caught_up_at: str | None = None  # the start of the last pull that read everything


@dataclass(frozen=True)
class PendingWriteBack(Record):
    """A contact-center record still to be told its CIM contact."""
    id: str
    call_Id: str  # noqa: N815 - the API's name
    contact_id: str
    last_error: str | None = None


SYNC_PK = "SYNC"


class SyncStateItem(Entity):
    name, pk, sk, shared_pk = "sync_state", SYNC_PK, "STATE", True
    record = SyncState

    @classmethod
    def keys(cls) -> Key:
        return {"PK": cls.pk, "SK": cls.sk}


class SyncRunItem(Entity):
    name, pk, sk, shared_pk = "sync_run", SYNC_PK, "RUN#", True
    record = SyncRun

    @classmethod
    def keys(cls, started_at: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{started_at}"}


class WriteBackItem(Entity):
    name, pk, sk, shared_pk = "sync_writeback", SYNC_PK, "WB#", True
    record = PendingWriteBack

    @classmethod
    def keys(cls, record_id: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{record_id}"}
