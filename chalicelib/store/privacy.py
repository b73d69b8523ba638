"""Privacy records: the suppression list (keyed hashes of erased numbers and
addresses), erasure receipts and the work a running erasure still has."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from chalicelib.core.errors import Invalid, Merged, NotFound
from chalicelib.models.privacy import Suppression
from chalicelib.store import holders, records
from chalicelib.store.codec import serialize
from chalicelib.store.dynamo import batch_get, call
from chalicelib.store.entities.calls import CallerSeenItem
from chalicelib.store.entities.contacts import ContactItem
from chalicelib.store.entities.privacy import (
    PRIVACY_PK,
    AccessItem,
    ErasureItem,
    ErasureWork,
    ErasureWorkItem,
    StoredAccess,
    StoredErasure,
    SuppressedItem,
    SuppressionItem,
)
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
    return [tx.check(SuppressionItem.keys(d), "attribute_not_exists(PK)") for d in digests]


def guard_contact_exists(tx: Transaction, contact_id: str) -> int:
    """A transaction guard: the contact is still stored, and not merged into
    another (a call linked to a contact being erased must not outlive it)."""
    return tx.check(ContactItem.keys(contact_id), "attribute_exists(#doc)", names={"#doc": "doc"}, return_old=True)


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
    found = batch_get(serialize(SuppressionItem.keys(d)) for d in wanted)
    return {SuppressionItem.digest_of(i["PK"]) for i in found}


def is_suppressed(digest: str) -> bool:
    return records.get(SuppressionItem.keys(digest)) is not None


def suppress(record: Suppression) -> None:
    """Suppress the keyed hash (again: harmless); listed for administrators."""
    item = record.model_dump(exclude_none=True)
    records.put_together([(SuppressionItem.keys(record.hash), item, False),
                          (SuppressedItem.keys(record.hash), item, False)])


def lift(digest: str) -> bool:
    """Lift a suppression; False if there was none."""
    if not is_suppressed(digest):
        return False
    records.put_together([(SuppressionItem.keys(digest), None, False), (SuppressedItem.keys(digest), None, False)])
    return True


def suppressions() -> list[Suppression]:
    return [SuppressedItem.from_item(r) for r in records.read_partition(SuppressedItem.pk)]


def save_receipt(receipt: StoredErasure) -> None:
    records.put(ErasureItem.keys(receipt.id), receipt.item())


def receipt(erasure_id: str) -> StoredErasure | None:
    found = records.get(ErasureItem.keys(erasure_id))
    return ErasureItem.from_item(found) if found else None


def erasures() -> list[StoredErasure]:
    """Every erasure receipt (work items left out), oldest first."""
    return [ErasureItem.from_item(r) for r in records.read_partition(PRIVACY_PK, ErasureItem.sk)
            if "id" in r and "requested_at" in r]


def running_erasures() -> list[str]:
    return [r.id for r in erasures() if r.state in ("running", "failed")]


def save_work(erasure_id: str, work: ErasureWork) -> None:
    records.put(ErasureWorkItem.keys(erasure_id), asdict(work))


def work(erasure_id: str) -> ErasureWork | None:
    found = records.get(ErasureWorkItem.keys(erasure_id))
    return ErasureWorkItem.from_item(found) if found else None


def drop_work(erasure_id: str) -> None:
    call("delete_item", Key=serialize(ErasureWorkItem.keys(erasure_id)))


def save_access(job: StoredAccess, expect_version: int | None) -> None:
    """Write an access request's job; ``expect_version``: only over that
    version (Conflict when another run saved it meanwhile)."""
    records.put(AccessItem.keys(job.id), job.item(),
                new=expect_version is None, expect=None if expect_version is None else {"version": expect_version})


def access(request_id: str) -> StoredAccess | None:
    found = records.get(AccessItem.keys(request_id))
    return AccessItem.from_item(found) if found else None


def drop_access(request_id: str) -> None:
    call("delete_item", Key=serialize(AccessItem.keys(request_id)))


def accesses() -> list[StoredAccess]:
    """Every access request still kept (a day), oldest first."""
    return [AccessItem.from_item(r) for r in records.read_partition(PRIVACY_PK, AccessItem.sk)]


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
    wanted = [serialize(CallerSeenItem.keys(k, v)) for k, v in numbers] + [serialize(SuppressionItem.keys(d)) for d in digests]
    wanted += [holders.key(d) for d in digests]
    if not wanted:
        return Screening(set(), set(), {})
    items = batch_get(wanted)
    found = {i["PK"] for i in items}
    return Screening(seen={(k, v) for k, v in numbers if CallerSeenItem.keys(k, v)["PK"] in found},
                     suppressed={d for d in digests if SuppressionItem.keys(d)["PK"] in found},
                     held=holders.holders_in(items))
