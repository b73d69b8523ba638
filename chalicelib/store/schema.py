"""Schema attributes and the reindex jobs schema changes start. An
attribute's key is reserved by a claim item written in the same transaction,
so two attributes never share a key."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from chalicelib.models.schema import Attribute
from chalicelib.store import keys, records


def attributes() -> list[Attribute]:
    return [Attribute.model_validate(r) for r in records.read_partition(keys.SCHEMA_PK, keys.ATTRIBUTE_PREFIX)]


def add_attribute(attribute: Attribute) -> bool:
    """Store a new attribute and claim its key; False if the key is taken."""
    return records.put_together([
        (keys.attribute_key_claim(attribute.key), {"id": attribute.id}, True),
        (keys.attribute(attribute.id), attribute.model_dump(), True),
    ])


def put_attribute(attribute: Attribute) -> None:
    records.put(keys.attribute(attribute.id), attribute.model_dump())


def remove_attribute(attribute_id: str, key: str) -> None:
    """Delete the attribute and free its key, together."""
    records.put_together([(keys.attribute_key_claim(key), None, False), (keys.attribute(attribute_id), None, False)])


@dataclass
class StoredJob(records.Record):
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


def add_job(job: StoredJob) -> None:
    records.put(keys.job(job.id), asdict(job), new=True)


def job(job_id: str) -> StoredJob:
    return StoredJob.from_item(records.fetch(keys.job(job_id), f"job {job_id}"))


def put_job(job: StoredJob, *, lease_was: float) -> None:
    """Save the job if its lease is still ``lease_was`` (else Conflict): one runner at a time."""
    records.put(keys.job(job.id), asdict(job), expect={"lease": lease_was})


def jobs() -> list[StoredJob]:
    return [StoredJob.from_item(r) for r in records.read_partition(keys.JOBS_PK, keys.JOB_PREFIX)]


def index_format() -> int:
    """The index format every stored contact is written in (1: before it was recorded)."""
    found = records.get(keys.index_format())
    return int(found["format"]) if found else 1


def set_index_format(format_: int) -> None:
    records.put(keys.index_format(), {"format": format_})
