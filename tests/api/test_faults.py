"""Faults from below, survived: with DynamoDB and S3 failing a share of
their calls (throttling, internal errors, timeouts, transaction conflicts,
as AWS fails once its own retries are spent), every answer is a success or
a 503 with ``Retry-After``, never a 500; and once the faults stop, nothing
is half-written: every contact has all its index entries, every call all
the entries that find it."""
from __future__ import annotations

import json

import pytest

from chalicelib.store import aws
from chalicelib.store import interactions as call_store
from devtools.emulator import inject_faults
from tests.api.conftest import body


@pytest.fixture
def faulty(api):
    handlers = [(aws.dynamodb(), "dynamodb", inject_faults(aws.dynamodb(), "dynamodb", 0.15, seed=7)),
                (aws.s3(), "s3", inject_faults(aws.s3(), "s3", 0.15, seed=8))]
    yield api
    for client, service, handler in handlers:
        client.meta.events.unregister(f"before-call.{service}", handler)


SEEN: list[int] = []


def answered(reply, where: str) -> int:
    SEEN.append(reply.status_code)
    assert reply.status_code < 500 or (reply.status_code == 503 and reply.headers.get("Retry-After")), \
        f"{where}: {reply.status_code} {reply.body[:300]!r}"
    return reply.status_code


def test_writes_under_faults_answer_or_say_when_to_come_back_and_leave_nothing_half_written(faulty, table_items):
    api = faulty
    made: list[str] = []
    for n in range(30):
        reply = api.post("/saveContact", {"first_name": f"Fay{n}", "phone1": f"+1 415 555 {1000 + n}",
                                          "email": f"fay{n}@example.com"}, headers={"Idempotency-Key": f"c-{n}"})
        if answered(reply, "create") == 200:
            made.append(body(reply)["id"])
        answered(api.post(f"/interactions/updateOrSaveInteractionTree/F-{n}", {
            "interaction": {"leg_id": "ivr", "type": "voice", "start_time": "2026-11-22T10:00:00Z"},
            "ani": f"+1 415 555 {1000 + n}"}), "leg")
    for contact_id in made[:15]:
        answered(api.put(f"/contacts/{contact_id}", {"last_name": "Faulted"}), "update")
        answered(api.put(f"/contacts/{contact_id}/consents/recording", {"granted": True}), "consent")
        answered(api.put(f"/interactions/F-{made.index(contact_id)}/contact", {"contact_id": contact_id}), "link")
        answered(api.post("/s3attachments", {"fileName": "a.pdf", "mimeType": "application/pdf", "size": 10,
                                             "contact_id": contact_id}), "attachment")
    answered(api.post("/contacts/bulk", {"contacts": [{"first_name": f"Bulk{i}", "phone1": f"+1 415 555 {2000 + i}"}
                                                      for i in range(40)]}), "bulk")
    for contact_id in made[15:20]:
        answered(api.delete(f"/contacts/{contact_id}"), "delete")
    answered(api.post("/privacy/erasures", {"phone": "+1 415 555 1020"}), "erasure")
    answered(api.post("/privacy/access-requests", {"phone": "+1 415 555 1021"}), "access")
    assert 503 in SEEN and SEEN.count(503) < len(SEEN) // 2, SEEN  # faults happened, and most requests got through


def test_after_faults_every_item_is_whole(faulty, table_items):
    test_writes_under_faults_answer_or_say_when_to_come_back_and_leave_nothing_half_written(faulty, table_items)
    for client, service in ((aws.dynamodb(), "dynamodb"), (aws.s3(), "s3")):
        client.meta.events.unregister(f"before-call.{service}")  # faults stop
    items = table_items()
    present = {(i["PK"]["S"], i["SK"]["S"]) for i in items}
    from chalicelib.domain.terms import Term
    from chalicelib.store.codec import deserialize
    from chalicelib.store.contacts import index_key as _index_key

    for raw in items:
        item = deserialize(raw)
        if item.get("entity") == "contact":
            for term in (Term(*t) for t in item.get("terms", [])):
                key = _index_key(term, item["doc"]["id"])
                assert (key["PK"], key["SK"]) in present, f"contact {item['doc']['id']} lost {term}"
        if item.get("entity") == "call":
            tree = {k: v for k, v in item.items() if k not in ("PK", "SK", "GSI1PK", "GSI1SK", "entity")}
            for key in call_store.entry_keys(tree):
                assert (key["PK"], key["SK"]) in present, f"call {tree['call_Id']} lost {key}"
    assert json.dumps(items)  # the table reads back whole
