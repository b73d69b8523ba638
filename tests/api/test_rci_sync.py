"""The contact-center sync, pushed and pulled, against a fake RCI/RMI server
over real HTTP."""
from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.core.settings import get_settings
from chalicelib.integrations import sinch
from tests.api.conftest import body
from tests.fakes.contact_center import push_headers
from tests.unit.test_rci_records import CALL, DETAILS

SECRET = "webhook-secret"


def guid(n: int, prefix: str = "A") -> str:
    return f"{prefix}{n:031X}"


def record(n: int, minutes_ago: float = 60, group: int | None = None, **extra) -> dict:
    arrival = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return CALL | {"id": guid(n), "contactGroupId": guid(group if group is not None else n, "B"),
                   "arrivalTime": arrival.isoformat(timespec="milliseconds").replace("+00:00", "Z")} | extra


@pytest.fixture
def configured(monkeypatch):
    monkeypatch.setenv("CIM_RCI_WEBHOOK_SECRET", SECRET)
    monkeypatch.setattr(sinch, "FIRST_BACKOFF", 0.01)
    get_settings.cache_clear()


@pytest.fixture
def center(configured, sinch_center):
    return sinch_center


def push(api, payload, secret=SECRET, signature=None):
    raw = json.dumps(payload).encode()
    headers = push_headers(secret, raw)
    if signature:
        headers["X-CIM-Signature"] = signature
    return api.as_key(None).request("POST", "/rci/contacts", raw=raw, headers=headers)


# --- push ------------------------------------------------------------------------

def test_push_stores_a_batch_and_a_replay_changes_nothing(api, configured):
    caller = body(api.post("/saveContact", {"first_name": "Caller", "phone1": "+1 650 253 0000"}))
    batch = [record(1, group=9, source="+1 650 253 0000"), record(2, group=9, source="+1 650 253 0000",
                                                                     type="CallIn/Forwarded")]
    first = push(api, batch)
    assert first.status_code == 200 and body(first)["counts"] == {"stored": 2, "updated": 0, "unchanged": 0,
                                                                 "rejected": 0, "failed": 0}
    again = push(api, batch)
    assert body(again)["counts"]["unchanged"] == 2
    [tree] = body(api.get(f"/interactions/loadInteractions/{caller['id']}"))
    assert tree["call_Id"] == guid(9, "B") and [leg["leg_id"] for leg in tree["interactions"]] == [guid(1), guid(2)]


def test_a_single_record_and_a_malformed_one_rejected_alone(api, configured):
    reply = push(api, [record(3), {"id": "nope"}, "text", record(4)])
    results = body(reply)["results"]
    assert [r["outcome"] for r in results] == ["stored", "rejected", "rejected", "stored"]
    assert "Invalid GUID" in results[1]["reason"]
    assert body(push(api, record(5)))["counts"]["stored"] == 1


@pytest.mark.parametrize("signature", [None, "sha256=00", "md5=abc", ""])
def test_a_wrong_or_missing_signature_is_401_and_stores_nothing(api, configured, signature):
    raw = json.dumps(record(6)).encode()
    headers = {} if signature is None else {"X-CIM-Signature": signature}
    reply = api.as_key(None).request("POST", "/rci/contacts", raw=raw, headers=headers)
    assert reply.status_code == 401
    assert api.get(f"/interactions/{guid(6, 'B')}").status_code == 404
    assert push(api, record(6), secret="other").status_code == 401


def test_a_push_batch_is_bounded(api, configured, monkeypatch):
    monkeypatch.setenv("CIM_RCI_BATCH_MAX", "3")
    get_settings.cache_clear()
    assert push(api, [record(i) for i in range(4)]).status_code == 413


# --- pull ------------------------------------------------------------------------

def sync(api):
    reply = api.post("/rci/sync")
    assert reply.status_code == 200, reply.body
    return body(reply)


def scheduled_pull():
    """The pull as the schedule runs it: not a request, so not held to the request's call cap."""
    from chalicelib.core import metering
    from chalicelib.services.sync import rci_sync

    metering.stop_counting()
    return rci_sync.run().model_dump(mode="json")  # as the API answers it


def test_a_pull_asked_over_http_stops_at_the_call_cap_and_the_next_goes_on(api, center):
    from chalicelib.core.metering import MAX_CALLS_PER_REQUEST

    center.records = [record(i, minutes_ago=300 - i) for i in range(30)]
    first = sync(api)
    assert first["more"] is True and 0 < first["stored"] < 30 and len(api.calls) <= MAX_CALLS_PER_REQUEST
    stored = first["stored"]
    for _ in range(10):
        outcome = sync(api)
        assert len(api.calls) <= MAX_CALLS_PER_REQUEST
        stored += outcome["stored"]
        if not outcome["more"]:
            break
    assert stored == 30


def test_a_250_record_pull_across_3_pages_with_a_500_on_page_2_retried(api, center):
    center.records = [record(i, minutes_ago=300 - i) for i in range(250)]
    center.fail_pages = {100: 1}
    outcome = scheduled_pull()
    assert outcome["pages"] == 3 and outcome["stored"] == 250 and outcome["last_error"] is None
    pages = [r for r in center.requests if r.startswith("GET /RI/rmi/contacts?")]
    assert len(pages) == 4  # page 2 asked twice
    again = scheduled_pull()
    assert again["stored"] == 0 and again["updated"] == 0  # the overlap window is read again, unchanged
    status = body(api.get("/rci/sync"))
    assert status["watermark"] == center.records[-1]["arrivalTime"] and len(status["runs"]) == 2


def test_details_become_the_legs_events_and_ivr_trail(api, center):
    center.records = [record(1)]
    center.details = {guid(1): DETAILS}
    sync(api)
    [leg] = body(api.get(f"/interactions/{guid(1, 'B')}"))["interactions"]
    assert leg["ivr_trail"] == ["Queing", "DestAllocated", "ConnectedToOper", "Disconnected"]
    assert leg["team_name"] == "CustomerService" and leg["call_duration"] == 323


def test_a_transfer_is_one_tree_with_two_legs_and_status_changes_update_the_leg(api, center):
    center.records = [record(1, group=7, status="InQueue", minutes_ago=30),
                      record(2, group=7, minutes_ago=20, agentName="Wolf, Jane")]
    sync(api)
    center.records[0] = center.records[0] | {"status": "Handled"}
    sync(api)
    legs = body(api.get(f"/interactions/{guid(7, 'B')}"))["interactions"]
    assert [leg["leg_id"] for leg in legs] == [guid(1), guid(2)]
    assert legs[0]["call_disposition"] == "Handled" and legs[1]["agentName"] == "Wolf, Jane"


def test_pushed_then_pulled_is_one_leg(api, center):
    center.records = [record(1)]
    center.details = {guid(1): DETAILS}
    assert body(push(api, center.records[0]))["counts"]["stored"] == 1  # the same record, pushed then pulled
    outcome = sync(api)
    assert outcome["updated"] == 1 and outcome["stored"] == 0  # the pull added the details
    assert len(body(api.get(f"/interactions/{guid(1, 'B')}"))["interactions"]) == 1


def test_a_401_stops_the_run_with_a_clear_error(api, center):
    center.records = [record(1)]
    center.refuse_all = True
    outcome = sync(api)
    assert "refused the credentials" in outcome["last_error"] and outcome["stored"] == 0
    assert "s3cret" not in json.dumps(outcome)


def test_a_malformed_record_is_rejected_alone_in_a_pull(api, center):
    center.records = [record(1, minutes_ago=50), record(2, minutes_ago=40) | {"contactGroupId": "bad"},
                      record(3, minutes_ago=30)]
    outcome = sync(api)
    assert outcome["stored"] == 2 and outcome["rejected"] == 1 and outcome["rejections"][0]["id"] == guid(2)


def test_the_watermark_never_passes_an_unstored_or_unfinished_record(api, center):
    center.records = [record(1, minutes_ago=50), record(2, minutes_ago=40, status="InProcess"),
                      record(3, minutes_ago=30)]
    first = sync(api)
    assert first["watermark"] < center.records[1]["arrivalTime"]  # record 2 may still change
    center.records[1] = center.records[1] | {"status": "Handled"}
    center.fail_details = {guid(3)}  # record 3 cannot be completed now
    second = sync(api)
    assert second["last_error"] and second["watermark"] < center.records[2]["arrivalTime"]
    assert second["watermark"] >= center.records[1]["arrivalTime"]
    center.fail_details = set()
    third = sync(api)
    assert third["watermark"] == center.records[2]["arrivalTime"] and third["last_error"] is None


def test_two_overlapping_runs_never_both_run(api, center):
    center.records = [record(i) for i in range(3)]
    center.delay = 0.5
    results = {}

    def first():
        results["first"] = api.post("/rci/sync").status_code

    runner = threading.Thread(target=first)
    runner.start()
    deadline = time.monotonic() + 10
    while not body(api.get("/rci/sync"))["running"]:  # the first run holds the lease (it waits on the center)
        assert time.monotonic() < deadline, "the first run never started"
        time.sleep(0.01)
    second = api.post("/rci/sync")
    runner.join()
    assert results["first"] == 200 and second.status_code == 409 and "already running" in body(second)["Message"]
    assert body(api.get("/rci/sync"))["running"] is False


def test_write_back_posts_once_per_finished_uniquely_matched_contact(api, center, monkeypatch):
    monkeypatch.setenv("CIM_RCI_WRITEBACK", "true")
    get_settings.cache_clear()
    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "+1 415 555 0100"}))
    for name in ("Parent", "Child"):
        api.post("/saveContact", {"first_name": name, "phone1": "+1 415 555 0177"})
    center.records = [record(1, source="+1 415 555 0100"), record(2, source="+1 415 555 0177"),
                      record(3, source="+1 415 555 0100", status="InProcess"),
                      record(4, source="+1 415 555 0100", channel="EMAIL")]
    center.fail_contact_data = 4  # the first run's write-back fails (after its retries)
    first = sync(api)
    assert first["written_back"] == 0 and center.contact_data == []
    assert body(api.get("/rci/sync"))["pendingWriteBacks"] == 1
    second = sync(api)
    assert second["written_back"] == 1
    third = sync(api)
    assert third["written_back"] == 0
    assert center.contact_data == [{"id": guid(1), "attachedData": {"cimContactId": ann["id"]}}]
