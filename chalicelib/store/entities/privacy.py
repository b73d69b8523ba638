"""What privacy keeps.

- ``SUPPRESS#<keyed hash>`` / ``SUPPRESS``: an erased number or address,
  only as an HMAC: nothing re-creates personal data for it until lifted;
  ``SUPPRESSED`` / ``<keyed hash>``: the same, listed for administrators.
- ``PRIVACY`` / ``RETENTION#<id>``: a job applying a changed retention to stored items.
- ``PRIVACY`` / ``ERASURE#<id>``: an erasure's receipt (no personal data);
  ``PRIVACY`` / ``ERASURE#<id>#WORK``: what a running erasure still has to
  find (the identifiers, deleted when it is done).
- ``PRIVACY`` / ``ACCESS#<id>``: an access request's job: state, the keyed
  hash of the identifier and, while it runs, the reads still to make (their
  finds wait in the bucket, under ``privacy/access/<id>/``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.models.privacy import Suppression
from chalicelib.store.entities import Entity, Key, Record, known_fields


@dataclass
class StoredRetentionJob(Record):
    """A retention job as stored: what ``GET /privacy/retention/jobs/{id}``
    shows, and where its next pass starts (``day`` and the ``cursor`` in it)."""
    id: str
    kind: str
    state: str  # running | done | cancelled
    days: int  # the retention it applies (0: kept)
    day: str  # the day being worked through
    last_day: str
    started_at: str
    updated_at: str
    updated: int = 0
    finished_at: str | None = None
    cursor: dict[str, Any] | None = None



@dataclass
class StoredErasure(Record):
    """An erasure's receipt as stored: who asked, for which identifier (its
    keyed hash only), how far it got and what it removed, by kind."""
    id: str
    requested_at: str
    requested_by: str
    identifier: dict[str, str]  # {"kind", "hash"}
    state: str  # running | done | failed
    counts: dict[str, int]
    finished_at: str | None = None
    error: str | None = None  # why a failed erasure stopped
    ttl: int | None = None  # kept CIM_ERASURE_RECEIPT_DAYS


@dataclass
class ErasureWork(Record):
    """What a running erasure has found and how far each step got, saved
    when a pass ends so the next goes on from there (personal data: it goes
    when the erasure is done). ``named``: what was asked; ``identifiers``:
    the numbers and addresses it suppresses; ``shared``: her phone numbers
    another contact also holds (kept, only her calls from them go);
    ``contacts``: hers; ``step``: contacts, calls, check, finish; ``at``:
    each step's place in its list."""
    named: list[str]
    identifiers: list[list[str]] = field(default_factory=list)
    shared: list[list[str]] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    step: str = "contacts"
    at: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ErasureWork:
        return cls(**{k: v for k, v in known_fields(cls, item).items() if v is not None})


@dataclass
class Gathering:
    """Where an access request's gathering stands: the reads still to make,
    how many finds it has written, and whom they are of so far (contact ids,
    and numbers and addresses: an erasure finds a gathering job by them)."""
    reads: list[list[Any]]
    found: int = 0
    subjects: list[str] = field(default_factory=list)
    identifiers: list[list[str]] = field(default_factory=list)


@dataclass
class StoredAccess(Record):
    """An access request as stored: the job gathering (``work``), then,
    done, its document's size and whom it holds data of, without personal
    data (contact ids and keyed hashes). ``version``: each save is
    conditional on the last, so a save after an erasure took the job fails."""
    id: str
    requested_at: str
    requested_by: str
    identifier: dict[str, str]  # {"kind", "hash"}
    state: str  # running | done | failed
    version: int
    finished_at: str | None = None
    error: str | None = None
    ttl: int | None = None
    work: Gathering | None = None
    bytes: int | None = None
    subjects: list[str] | None = None
    hashes: list[str] | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredAccess:
        found = known_fields(cls, item)
        if found.get("work") is not None:
            found["work"] = Gathering(**found["work"])
        return cls(**found)


PRIVACY_PK = "PRIVACY"


class SuppressionItem(Entity):
    name, pk = "suppression", "SUPPRESS#"

    @classmethod
    def keys(cls, digest: str) -> Key:
        return {"PK": f"{cls.pk}{digest}", "SK": "SUPPRESS"}

    @classmethod
    def digest_of(cls, pk: str) -> str:
        return pk.removeprefix(cls.pk)


class SuppressedItem(Entity):
    name, pk, shared_pk = "suppression_listing", "SUPPRESSED", True
    record = Suppression

    @classmethod
    def keys(cls, digest: str) -> Key:
        return {"PK": cls.pk, "SK": digest}


class ErasureItem(Entity):
    name, pk, sk, shared_pk = "erasure", PRIVACY_PK, "ERASURE#", True
    record = StoredErasure

    @classmethod
    def keys(cls, erasure_id: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{erasure_id}"}

    @classmethod
    def owns(cls, pk: str, sk: str) -> bool:
        return super().owns(pk, sk) and not ErasureWorkItem.owns(pk, sk)


class ErasureWorkItem(Entity):
    name, pk, sk, shared_pk = "erasure_work", PRIVACY_PK, "ERASURE#", True
    record = ErasureWork
    SUFFIX = "#WORK"

    @classmethod
    def keys(cls, erasure_id: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{erasure_id}{cls.SUFFIX}"}

    @classmethod
    def owns(cls, pk: str, sk: str) -> bool:
        return super().owns(pk, sk) and cls.is_work(sk)

    @classmethod
    def is_work(cls, sk: str) -> bool:
        return sk.endswith(cls.SUFFIX)


class RetentionJobItem(Entity):
    name, pk, sk, shared_pk = "retention_job", PRIVACY_PK, "RETENTION#", True
    record = StoredRetentionJob

    @classmethod
    def keys(cls, job_id: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{job_id}"}


class AccessItem(Entity):
    name, pk, sk, shared_pk = "access_request", PRIVACY_PK, "ACCESS#", True
    record = StoredAccess

    @classmethod
    def keys(cls, request_id: str) -> Key:
        return {"PK": cls.pk, "SK": f"{cls.sk}{request_id}"}
