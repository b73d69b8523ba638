"""Possible duplicates found by a scan, their dismissals, and the scans
themselves (docs/api.md, Possible duplicates). A pair is keyed by its two ids,
the smaller first, so a scan that finds it again rewrites it in place."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from chalicelib.domain.terms import Term
from chalicelib.models.contact import Dismissal
from chalicelib.store import contacts, records
from chalicelib.store.codec import serialize, value
from chalicelib.store.dynamo import batch_get, batch_write, query_page
from chalicelib.store.entities import ALL_KEYS, CONTACTS_GSI
from chalicelib.store.entities.duplicates import DismissalItem, PairItem
from chalicelib.store.entities.jobs import JOBS_PK, DuplicateScanItem, StoredScan


def pair_of(first: str, second: str) -> tuple[str, str]:
    return (first, second) if first < second else (second, first)


@dataclass(frozen=True)
class FoundPair:
    """Two contacts a scan found may be one person, and why."""
    ids: tuple[str, str]  # the smaller first
    reasons: list[str]
    score: float
    found_at: str


# --- scans -------------------------------------------------------------------


def add_scan(scan: StoredScan) -> None:
    records.put(DuplicateScanItem.keys(scan.id), asdict(scan), new=True)


def get_scan(scan_id: str) -> StoredScan:
    return DuplicateScanItem.from_item(records.fetch(DuplicateScanItem.keys(scan_id), f"scan {scan_id}"))


def put_scan(scan: StoredScan, *, lease_was: float) -> None:
    """Save the scan if its lease is still ``lease_was`` (else Conflict): one runner at a time."""
    records.put(DuplicateScanItem.keys(scan.id), asdict(scan), expect={"lease": lease_was})


def scans() -> list[StoredScan]:
    return [DuplicateScanItem.from_item(r) for r in records.read_partition(JOBS_PK, DuplicateScanItem.sk)]


# --- pairs and dismissals ------------------------------------------------------

def put_pairs(pairs: list[FoundPair]) -> None:
    """Write found pairs, 25 a BatchWriteItem."""
    batch_write([serialize(PairItem.keys(*p.ids) | PairItem.listing(p.score, *p.ids)
                           | asdict(p) | {"ids": list(p.ids)}) for p in pairs])


def page(limit: int, page_cursor: str | None) -> tuple[list[FoundPair], str | None]:
    """Pairs, most likely first."""
    items, next_cursor = query_page(
        "duplicates", page_cursor, key_names=ALL_KEYS, IndexName=CONTACTS_GSI,
        KeyConditionExpression="GSI1PK = :pk", ExpressionAttributeValues={":pk": value(PairItem.LISTING_PK)},
        Limit=limit)
    return [FoundPair(tuple(i["ids"]), list(i["reasons"]), float(i["score"]), i["found_at"]) for i in items], next_cursor


def dismissed(pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these pairs someone dismissed (one BatchGetItem per 100)."""
    wanted = list(dict.fromkeys(pair_of(*p) for p in pairs))
    if not wanted:
        return set()
    found = batch_get(serialize(DismissalItem.keys(*p)) for p in wanted)
    return {tuple(i["ids"]) for i in found}


def holders_not_dismissed(contact_id: str | None, wanted: dict[str, set[Term]]
                          ) -> list[tuple[dict[str, Any], set[Term]]]:
    """``contacts.holding(wanted)``, without the contacts whose pair with
    ``contact_id`` someone dismissed (read in the same BatchGetItem)."""
    dismissals = [DismissalItem.keys(*pair_of(contact_id, other)) for other in wanted] if contact_id else []
    found, dismissed = contacts.holding(wanted, dismissals)
    gone = {other for item in dismissed for other in item["ids"] if other != contact_id}
    return [(doc, shares) for doc, shares in found if doc["id"] not in gone]


def contacts_and_dismissed(contact_ids: list[str], pairs: list[tuple[str, str]]
                           ) -> tuple[list[dict[str, Any]], set[tuple[str, str]]]:
    """The documents of ``contact_ids`` and which of ``pairs`` were dismissed, in one BatchGetItem."""
    docs, found = contacts.get_many_with(contact_ids, [DismissalItem.keys(*pair_of(*p)) for p in pairs])
    return docs, {tuple(item["ids"]) for item in found}


def dismiss(first: str, second: str, by: str, at: str) -> Dismissal:
    """Never suggest this pair again: the dismissal, and the pair off the listing."""
    dismissal = Dismissal(ids=list(pair_of(first, second)), by=by, at=at)
    records.put_together([(DismissalItem.keys(*dismissal.ids), dismissal.model_dump(), False),
                          (PairItem.keys(*dismissal.ids), None, False)])
    return dismissal
