"""Schema attributes and the reindex jobs schema changes start. An
attribute's key is reserved by a claim item written in the same transaction,
so two attributes never share a key."""
from __future__ import annotations

from dataclasses import asdict

from chalicelib.models.schema import Attribute
from chalicelib.store import records
from chalicelib.store.entities.jobs import JOBS_PK, IndexFormatItem, SchemaJobItem, StoredJob
from chalicelib.store.entities.schema import SCHEMA_PK, AttributeItem, AttributeKeyItem


def attributes() -> list[Attribute]:
    return [AttributeItem.from_item(r) for r in records.read_partition(SCHEMA_PK, AttributeItem.sk)]


def add_attribute(attribute: Attribute) -> bool:
    """Store a new attribute and claim its key; False if the key is taken."""
    return records.put_together([
        (AttributeKeyItem.keys(attribute.key), {"id": attribute.id}, True),
        (AttributeItem.keys(attribute.id), attribute.model_dump(), True),
    ])


def put_attribute(attribute: Attribute) -> None:
    records.put(AttributeItem.keys(attribute.id), attribute.model_dump())


def remove_attribute(attribute_id: str, key: str) -> None:
    """Delete the attribute and free its key, together."""
    records.put_together([(AttributeKeyItem.keys(key), None, False), (AttributeItem.keys(attribute_id), None, False)])


def add_job(job: StoredJob) -> None:
    records.put(SchemaJobItem.keys(job.id), asdict(job), new=True)


def job(job_id: str) -> StoredJob:
    return SchemaJobItem.from_item(records.fetch(SchemaJobItem.keys(job_id), f"job {job_id}"))


def put_job(job: StoredJob, *, lease_was: float) -> None:
    """Save the job if its lease is still ``lease_was`` (else Conflict): one runner at a time."""
    records.put(SchemaJobItem.keys(job.id), asdict(job), expect={"lease": lease_was})


def jobs() -> list[StoredJob]:
    return [SchemaJobItem.from_item(r) for r in records.read_partition(JOBS_PK, SchemaJobItem.sk)]


def index_format() -> int:
    """The index format every stored contact is written in (1: before it was recorded)."""
    found = records.get(IndexFormatItem.keys())
    return int(found["format"]) if found else 1


def set_index_format(format_: int) -> None:
    records.put(IndexFormatItem.keys(), {"format": format_})
