"""``Idempotency-Key`` on the routes that create: a retried create answers
the first result and creates nothing; the same key with another body is a
409; a failed first attempt leaves the key free for the retry."""
from __future__ import annotations

import pytest

from chalicelib.store import contacts as contact_store
from tests.api.conftest import body

CREATES = [
    ("/saveContact", {"first_name": "Ann", "phone1": "+1 415 555 0100"}),
    ("/contacts", {"first_name": "Ann", "phone1": "+1 415 555 0101"}),
    ("/contacts/bulk", {"contacts": [{"first_name": "Bo"}, {"first_name": "Cy"}]}),
    ("/keys", {"name": "ivr-prod", "role": "ivr"}),
    ("/privacy/erasures", {"phone": "+1 415 555 0199"}),
    ("/privacy/retention/jobs", {"kind": "sync_runs"}),
]


@pytest.mark.parametrize("path, sent", CREATES, ids=[p for p, _ in CREATES])
def test_a_retried_create_answers_the_first_result_and_creates_nothing(api, table_items, path, sent):
    first = api.post(path, sent, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code in (200, 201, 202), first.body
    items = len(table_items())
    again = api.post(path, sent, headers={"Idempotency-Key": "retry-1"})
    assert (again.status_code, body(again)) == (first.status_code, body(first))
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(table_items()) == items  # nothing new
    other = api.post(path, sent | {"first_name": "Other"} if "first_name" in sent else sent | {"x": 1},
                     headers={"Idempotency-Key": "retry-1"})
    assert other.status_code == 409 and "Idempotency-Key" in body(other)["Message"]
    fresh = api.post(path, sent, headers={"Idempotency-Key": "retry-2"})
    assert fresh.status_code != 409 or path == "/privacy/retention/jobs", fresh.body  # one job per kind


def test_a_failed_first_attempt_leaves_the_key_for_the_retry(api, monkeypatch):
    from chalicelib.core.errors import Unavailable

    real = contact_store.create
    monkeypatch.setattr(contact_store, "create", lambda *a, **k: (_ for _ in ()).throw(Unavailable("throttled")))
    failed = api.post("/saveContact", {"first_name": "Ann"}, headers={"Idempotency-Key": "k-1"})
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "1"
    monkeypatch.setattr(contact_store, "create", real)
    retried = api.post("/saveContact", {"first_name": "Ann"}, headers={"Idempotency-Key": "k-1"})
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers
    assert api.post("/saveContact", {"first_name": "Ann"}, headers={"Idempotency-Key": "k" * 300}).status_code == 400


def test_keys_are_the_callers_own(api):
    made = body(api.post("/keys", {"name": "agent-1", "role": "agent"}))
    agent = api.as_key(made["key"])
    mine = body(api.post("/saveContact", {"first_name": "Ann"}, headers={"Idempotency-Key": "same"}))
    theirs = body(agent.post("/saveContact", {"first_name": "Ann"}, headers={"Idempotency-Key": "same"}))
    assert mine["id"] != theirs["id"]
