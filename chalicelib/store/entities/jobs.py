"""Background jobs and the marks they leave, in the ``JOBS`` partition.

- ``JOBS`` / ``JOB#<id>``: a reindex job after a schema change (expires via TTL once done).
- ``JOBS`` / ``DUPSCAN#<id>``: a scan for possible duplicates (resumable).
- ``JOBS`` / ``INDEX#FORMAT``: which index format every stored contact has been written in.
- ``JOBS`` / ``HOLDERS#MARKED``: set once a scan has put every stored contact in its holder markers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.store.entities import Entity, Key, Record


@dataclass
class StoredJob(Record):
    """A reindex job as stored: what ``GET /schema/jobs/{id}`` shows, and
    how its runner goes on (the contact list's cursor, the lease one runner
    holds at a time, the key a deleted attribute leaves, the index format
    it brings every contact to)."""
    id: str
    reason: str
    state: str  # running | done | failed
    started_at: str
    updated_at: str
    processed: int = 0
    changed: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    finished_at: str | None = None
    last_error: str | None = None
    cursor: dict[str, Any] | None = None
    drop_key: str | None = None
    lease: float = 0
    index_format: int | None = None
    ttl: int | None = None  # a finished job expires



@dataclass
class StoredScan(Record):
    """A duplicate scan as stored: what ``GET /duplicates/scans/{id}`` shows,
    and how its runner goes on (the contact list's cursor, the lease one
    runner holds at a time)."""
    id: str
    state: str  # running | done
    started_at: str
    updated_at: str
    processed: int = 0
    found: int = 0
    finished_at: str | None = None
    cursor: dict[str, Any] | None = None
    lease: float = 0
    marks_holders: bool = False  # started by a version that puts contacts in the holder markers
    ttl: int | None = None  # a finished scan expires


JOBS_PK = "JOBS"


class SchemaJobItem(Entity):
    name, pk, sk, shared_pk = "schema_job", JOBS_PK, "JOB#", True
    record = StoredJob

    @classmethod
    def keys(cls, job_id: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{job_id}"}


class DuplicateScanItem(Entity):
    name, pk, sk, shared_pk = "duplicate_scan", JOBS_PK, "DUPSCAN#", True
    record = StoredScan

    @classmethod
    def keys(cls, scan_id: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{scan_id}"}


class IndexFormatItem(Entity):
    name, pk, sk, shared_pk = "index_format", JOBS_PK, "INDEX#FORMAT", True

    @classmethod
    def keys(cls) -> Key:
        return {"PK": cls.pk, "SK": cls.sk}


class HoldersMarkedItem(Entity):
    name, pk, sk, shared_pk = "holders_marked", JOBS_PK, "HOLDERS#MARKED", True

    @classmethod
    def keys(cls) -> Key:
        return {"PK": cls.pk, "SK": cls.sk}
