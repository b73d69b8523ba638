"""The transaction builder: every step or none, and a cancelled one says
which condition failed and what it found."""
from __future__ import annotations

import pytest
from moto import mock_aws

from chalicelib.core.errors import TooLarge
from chalicelib.store import records
from chalicelib.store.transaction import MAX_ITEMS, Cancelled, Transaction
from devtools.bootstrap import ensure_all


@pytest.fixture
def table():
    with mock_aws():
        ensure_all()
        yield


def test_a_failed_condition_writes_nothing_and_names_its_step(table):
    records.put({"PK": "T#1", "SK": "T"}, {"version": 3})
    tx = Transaction()
    tx.put_new({"PK": "T#2", "SK": "T", "n": 1})
    step = tx.put({"PK": "T#1", "SK": "T", "version": 4}, only_if="version = :v", values={":v": 2},
                  return_old=True)
    with pytest.raises(Cancelled) as cancelled:
        tx.commit()
    assert cancelled.value.failed(step) and not cancelled.value.failed(0)
    assert cancelled.value.old(step)["version"] == 3
    assert records.get({"PK": "T#2", "SK": "T"}) is None  # the first step did not land either
    assert records.get({"PK": "T#1", "SK": "T"})["version"] == 3


def test_every_step_lands_together(table):
    tx = Transaction()
    tx.put_new({"PK": "T#3", "SK": "T"})
    tx.check({"PK": "T#4", "SK": "T"}, "attribute_not_exists(PK)")
    tx.commit()
    assert records.get({"PK": "T#3", "SK": "T"}) is not None
    tx = Transaction()
    tx.delete({"PK": "T#3", "SK": "T"}, only_if="attribute_exists(PK)")
    tx.commit()
    assert records.get({"PK": "T#3", "SK": "T"}) is None


def test_a_change_of_more_items_than_dynamodb_takes_is_refused_before_sending(table):
    tx = Transaction()
    for n in range(MAX_ITEMS + 1):
        tx.put({"PK": f"T#{n}", "SK": "T"})
    with pytest.raises(TooLarge, match="at most 100"):
        tx.commit()
    assert records.get({"PK": "T#0", "SK": "T"}) is None
