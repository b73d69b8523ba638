"""The capacity models beside the benchmark: partition heat at the peak
(``bench/partitions.py``) and the bill (``bench/bill.py``)."""
from __future__ import annotations

import pytest

from bench import bill, partitions


@pytest.fixture(scope="module")
def rows():
    return {r.kind: r for r in partitions.heats(500, 10_000_000, partitions.name_letter_shares(3000),
                                                 partitions.name_pair_shares(3000))}


def test_the_legs_of_a_busy_day_spread_over_the_call_day_shards(rows):
    day = rows["call days (GSI1)"]
    # 1,500 leg saves a second, each a 3 KB copy in the index: one key would take 4.5 times a partition.
    assert day.writes * partitions.CallItem.DAY_SHARDS == pytest.approx(4500)
    assert day.share < 0.10 and day.hottest.count("#") == 2


def test_name_keys_follow_real_name_frequencies(rows):
    names = rows["name entries"]
    shares = partitions.name_letter_shares(3000)
    assert names.hottest == shares.most_common(1)[0][0] and 0.03 < shares[names.hottest] < 0.2
    assert sum(shares.values()) == pytest.approx(1.0)


def test_the_commonest_words_pairs_are_one_key_each(rows):
    pairs = partitions.name_pair_shares(3000)
    assert rows["name pairs"].hottest == pairs.most_common(1)[0][0] and 0.0 < pairs[rows["name pairs"].hottest] < 0.1
    assert rows["name pairs"].share < 0.10


def test_every_kind_is_under_a_partitions_limits(rows):
    assert all(r.share < 1.0 for r in rows.values())
    assert rows["last changes"].share < 0.10 and rows["number entry (IVR lookup)"].share < 0.01


def test_the_bill_adds_dynamodb_lambda_and_the_gateway():
    cost = bill.cost_per_million(read_units=1.0, write_units=0.0, ms=10.0, memory_mb=512, gateway=True)
    assert cost["dynamodb"] == pytest.approx(0.125)
    assert cost["lambda"] == pytest.approx(0.01 * 0.5 * 0.0000133334 * 1e6 + 0.20)
    assert cost["total"] == pytest.approx(cost["dynamodb"] + cost["lambda"] + 3.50)
    report = {"operations": [
        {"operation": "flat IVR lookup", "contacts": 1000, "where": "in-process", "p50_ms": 5.0,
         "read_units": 1.0, "write_units": 0.0},
        {"operation": "leg save", "contacts": 1000, "where": "in-process", "p50_ms": 8.0,
         "read_units": 0.5, "write_units": None}]}
    billed = {r["operation"]: r for r in bill.bill(report, 512)}
    assert billed["leg save"]["write_units"] == bill.WRITES["leg save"][0] == 11.0
    assert billed["IVR lookup, flat (one Query)"]["dynamodb"] == pytest.approx(0.125)
