"""Privacy records: the suppression list (keyed hashes of erased numbers and
addresses), erasure receipts and the work a running erasure still has."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from chalicelib.core.errors import Invalid, Merged, NotFound
from chalicelib.models.privacy import Suppression
from chalicelib.store import holders, keys, records
from chalicelib.store.codec import serialize
from chalicelib.store.dynamo import batch_get, call
from chalicelib.store.transaction import Cancelled, Transaction


class Suppressed(Invalid):
    """A write would store an identifier that an erasure has suppressed
    meanwhile (its transaction's guard failed); ``digest`` names it."""

    def __init__(self, digest: str) -> None:
        super().__init__("this identifier belongs to a person who was erased")
        self.digest = digest


def guard_unsuppressed(tx: Transaction, digests: list[str]) -> list[int]:
    """Transaction guards: the write goes through only while none of
    ``digests`` is suppressed. An erasure suppresses before it sweeps, so a
    write that raced it either lands before the sweep (and is swept) or
    fails here. The guards' steps, for ``raise_if_suppressed``."""
    return [tx.check(keys.suppression(d), "attribute_not_exists(PK)") for d in digests]


def guard_contact_exists(tx: Transaction, contact_id: str) -> int:
    """A transaction guard: the contact is still stored, and not merged into
    another (a call linked to a contact being erased must not outlive it)."""
    return tx.check(keys.contact(contact_id), "attribute_exists(#doc)", names={"#doc": "doc"}, return_old=True)


def raise_if_no_contact(cancelled: Cancelled, guard: int | None, contact_id: str) -> None:
    """NotFound, or Merged naming where the contact went, if ``guard`` failed."""
    if cancelled.failed(guard):
        found = cancelled.old(guard) or {}
        if found.get("merged_into"):
            raise Merged(f"contact {contact_id} was merged into {found['merged_into']}; use that contact",
                         merged_into=found["merged_into"], merge_id=found.get("merge_id"))
        raise NotFound(f"contact {contact_id} not found")


def commit_on_contact(tx: Transaction, contact_id: str) -> None:
    """Commit ``tx`` only while the contact is stored: a note or follow-up
    written as an erasure deletes its contact lands before (and the erasure
    sweeps it after the contact) or is refused here (NotFound, or Merged)."""
    guard = guard_contact_exists(tx, contact_id)
    try:
        tx.commit()
    except Cancelled as cancelled:
        raise_if_no_contact(cancelled, guard, contact_id)
        raise


def raise_if_suppressed(cancelled: Cancelled, guards: list[int], digests: list[str]) -> None:
    """``Suppressed`` naming the digest whose guard failed, if one did."""
    for step, digest in zip(guards, digests):
        if cancelled.failed(step):
            raise Suppressed(digest)


def suppressed(digests: Iterable[str]) -> set[str]:
    """Which of these hashes are suppressed (one BatchGetItem per 100)."""
    wanted = list(dict.fromkeys(digests))
    if not wanted:
        return set()
    found = batch_get(serialize(keys.suppression(d)) for d in wanted)
    return {keys.digest_of_suppression(i["PK"]) for i in found}


def is_suppressed(digest: str) -> bool:
    return records.get(keys.suppression(digest)) is not None


def suppress(record: Suppression) -> None:
    """Suppress the keyed hash (again: harmless); listed for administrators."""
    item = record.model_dump(exclude_none=True)
    records.put_together([(keys.suppression(record.hash), item, False),
                          (keys.suppression_listing(record.hash), item, False)])


def lift(digest: str) -> bool:
    """Lift a suppression; False if there was none."""
    if not is_suppressed(digest):
        return False
    records.put_together([(keys.suppression(digest), None, False), (keys.suppression_listing(digest), None, False)])
    return True


def suppressions() -> list[Suppression]:
    return [Suppression.model_validate(r) for r in records.read_partition(keys.SUPPRESSED_PK)]


@dataclass
class StoredErasure(records.Record):
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


def save_receipt(receipt: StoredErasure) -> None:
    records.put(keys.erasure(receipt.id), receipt.item())


def receipt(erasure_id: str) -> StoredErasure | None:
    found = records.get(keys.erasure(erasure_id))
    return StoredErasure.from_item(found) if found else None


def erasures() -> list[StoredErasure]:
    """Every erasure receipt (work items left out), oldest first."""
    return [StoredErasure.from_item(r) for r in records.read_partition(keys.PRIVACY_PK, keys.ERASURE_PREFIX)
            if "id" in r and "requested_at" in r]


def running_erasures() -> list[str]:
    return [r.id for r in erasures() if r.state in ("running", "failed")]


@dataclass
class ErasureWork(records.Record):
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
        return cls(**{k: v for k, v in records.known_fields(cls, item).items() if v is not None})


def save_work(erasure_id: str, work: ErasureWork) -> None:
    records.put(keys.erasure_work(erasure_id), asdict(work))


def work(erasure_id: str) -> ErasureWork | None:
    found = records.get(keys.erasure_work(erasure_id))
    return ErasureWork.from_item(found) if found else None


def drop_work(erasure_id: str) -> None:
    call("delete_item", Key=serialize(keys.erasure_work(erasure_id)))


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
class StoredAccess(records.Record):
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
        found = records.known_fields(cls, item)
        if found.get("work") is not None:
            found["work"] = Gathering(**found["work"])
        return cls(**found)



def save_access(job: StoredAccess, expect_version: int | None) -> None:
    """Write an access request's job; ``expect_version``: only over that
    version (Conflict when another run saved it meanwhile)."""
    records.put(keys.access_request(job.id), job.item(),
                new=expect_version is None, expect=None if expect_version is None else {"version": expect_version})


def access(request_id: str) -> StoredAccess | None:
    found = records.get(keys.access_request(request_id))
    return StoredAccess.from_item(found) if found else None


def drop_access(request_id: str) -> None:
    call("delete_item", Key=serialize(keys.access_request(request_id)))


def accesses() -> list[StoredAccess]:
    """Every access request still kept (a day), oldest first."""
    return [StoredAccess.from_item(r) for r in records.read_partition(keys.PRIVACY_PK, keys.ACCESS_PREFIX)]


@dataclass(frozen=True)
class Screening:
    """What a contact write reads first, in one BatchGetItem (per 100 keys)."""
    seen: set[tuple[str, str]]  # the (kind, value) numbers that have called
    suppressed: set[str]  # the hashes an erasure suppressed
    held: dict[str, set[str]]  # hash -> ids of the contacts holding it (store/holders.py)


def screen(numbers: list[tuple[str, str]], digests: Iterable[str]) -> Screening:
    """Which of ``numbers`` have called; which of ``digests`` (keyed hashes of
    the numbers and addresses a write gains) are suppressed, and who holds them."""
    numbers, digests = list(dict.fromkeys(numbers)), list(dict.fromkeys(digests))
    wanted = [serialize(keys.caller_seen(k, v)) for k, v in numbers] + [serialize(keys.suppression(d)) for d in digests]
    wanted += [holders.key(d) for d in digests]
    if not wanted:
        return Screening(set(), set(), {})
    items = batch_get(wanted)
    found = {i["PK"] for i in items}
    return Screening(seen={(k, v) for k, v in numbers if keys.caller_seen(k, v)["PK"] in found},
                     suppressed={d for d in digests if keys.suppression(d)["PK"] in found},
                     held=holders.holders_in(items))
