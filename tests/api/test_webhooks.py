"""Outbound events: the table's stream (moto's DynamoDB Streams, read as
Lambda's event source mapping reads it) through the stream function, to a
real HTTP receiver on this machine, each delivery verified with the
``standardwebhooks`` library."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.api.conftest import body, erase

pytestmark = pytest.mark.takes(10)

PERSON = {"first_name": "Zelinda", "last_name": "Okafor", "phone1": "+1 415 555 0142",
          "email": "zelinda.okafor@example.com"}


class Receiver:
    """A webhook target: answers each delivery from ``script`` (status, or
    "sleep" to time out), then 204; keeps what it was sent."""

    def __init__(self) -> None:
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.script: list[int | str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                data = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append(({k.lower(): v for k, v in self.headers.items()}, data))
                step = receiver.script.pop(0) if receiver.script else 204
                if step == "sleep":
                    time.sleep(1.5)
                    step = 204
                self.send_response(step)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verified(self, secret: str) -> list[dict]:
        return [Webhook(secret).verify(data, headers) for headers, data in self.got]


@pytest.fixture
def events(api, monkeypatch):
    from app import app
    from chalicelib.core.settings import get_settings
    from devtools.triggers import TableStream, pump

    monkeypatch.setenv("CIM_WEBHOOK_ALLOW_LOOPBACK", "1")
    monkeypatch.setenv("CIM_WEBHOOK_RETRY_SECONDS", "0.2,0.2,0.2")
    monkeypatch.setenv("CIM_WEBHOOK_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    stream = TableStream(get_settings().table_name)
    pump(app, stream)  # what the test's setup wrote is not this test's business
    receiver = Receiver()
    yield receiver, lambda: pump(app, stream)
    receiver.server.shutdown()
    get_settings.cache_clear()


def _subscribe(api, url: str, events=("*",)) -> dict:
    reply = api.post("/webhooks", {"url": url, "events": list(events), "description": "test"})
    assert reply.status_code == 201, reply.body
    return body(reply)


def _retry_until_quiet(api, flush, seconds: float = 5.0) -> None:
    from app import app
    from devtools.triggers import run_schedules

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        flush()
        run_schedules(app, ("deliver-webhooks",))
        pending = [d for w in body(api.get("/webhooks"))["items"]
                   for d in body(api.get(f"/webhooks/{w['id']}/deliveries?status=pending"))["items"]]
        if not pending:
            return
        time.sleep(0.1)


def test_a_contacts_changes_arrive_signed_thin_and_in_order(api, events):
    receiver, flush = events
    hook = _subscribe(api, receiver.url, ["contact.*", "consent.changed"])
    assert hook["secret"].startswith("whsec_") and "secret" not in body(api.get(f"/webhooks/{hook['id']}"))
    made = body(api.post("/saveContact", PERSON))
    api.put(f"/contacts/{made['id']}", {**PERSON, "phone2": "+1 415 555 0199"}, headers={"If-Match": "1"})
    api.delete(f"/contacts/{made['id']}")
    flush()
    sent = receiver.verified(hook["secret"])
    assert [e["type"] for e in sent] == ["contact.created", "contact.updated", "contact.deleted"]
    assert [e["data"]["sequence"] for e in sent] == [1, 2, 3]
    assert sent[1]["data"]["changed"] == ["phone2"]
    text = json.dumps(sent)
    for value in ("Zelinda", "Okafor", "0142", "zelinda"):
        assert value not in text  # thin: ids and field names, no values
    ids = [h["webhook-id"] for h, _ in receiver.got]
    assert ids == [e["id"] for e in sent] and len(set(ids)) == 3


def test_a_failing_target_is_retried_in_order_and_dead_letters_are_listed_and_replayed(api, events, capsys):
    receiver, flush = events
    hook = _subscribe(api, receiver.url, ["contact.*"])
    receiver.script = [500, "sleep"]  # the first delivery fails, its retry times out, then all is well
    made = body(api.post("/saveContact", PERSON))
    api.put(f"/contacts/{made['id']}", {**PERSON, "phone2": "+1 415 555 0199"}, headers={"If-Match": "1"})
    flush()
    assert len(receiver.got) == 1  # the update waits behind the failed create: order is kept
    _retry_until_quiet(api, flush)
    types = [e["type"] for e in receiver.verified(hook["secret"])]
    assert types == ["contact.created", "contact.created", "contact.created", "contact.updated"]
    listed = body(api.get(f"/webhooks/{hook['id']}/deliveries"))["items"]
    assert {(d["type"], d["status"], d["attempts"]) for d in listed} == {
        ("contact.created", "delivered", 3), ("contact.updated", "delivered", 1)}

    receiver.script = [503, 503, 503, 503]  # a change that never gets through is dead-lettered
    api.put(f"/contacts/{made['id']}", {**PERSON, "phone2": "+1 415 555 0198"}, headers={"If-Match": "2"})
    _retry_until_quiet(api, flush)
    dead = body(api.get(f"/webhooks/{hook['id']}/deliveries?status=failed"))["items"]
    assert [(d["type"], d["attempts"], d["last_status"]) for d in dead] == [("contact.updated", 4, 503)]
    counted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert [(m["WebhookDeadLetters"], m["service"], m["_aws"]["CloudWatchMetrics"][0]["Namespace"])
            for m in counted if "WebhookDeadLetters" in m] == [([1.0], "cim", "CIM")]  # the EMF line the alarm watches
    attempts = Counter(m["outcome"] for m in counted if "WebhookAttempts" in m)
    assert attempts == {"failed": 2 + 4, "delivered": 2}  # 500, time-out, then both; then four 503s

    before = len(receiver.got)
    since = dead[0]["timestamp"]
    replayed = body(api.post(f"/webhooks/{hook['id']}/replay", {"since": since}))
    assert replayed == {"replayed": 1, "cursor": None}
    assert len(receiver.got) == before  # queued by the request, sent by the schedule
    _retry_until_quiet(api, flush)
    again = receiver.verified(hook["secret"])[before:]
    assert [(e["type"], e["data"]["changed"]) for e in again] == [("contact.updated", ["phone2"])]


def test_a_failed_attempt_from_the_stream_is_logged_with_the_event_it_was_for(api, events, caplog):
    """One stream batch, one request id: each line of its lanes (on threads)
    names the event it concerns, which is the id the target sees."""
    import logging

    caplog.set_level(logging.INFO, logger="cim")
    receiver, flush = events
    _subscribe(api, receiver.url, ["contact.*"])
    receiver.script = [500]
    body(api.post("/saveContact", PERSON))
    flush()
    [(headers, _)] = receiver.got
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "cim"]
    [failed] = [line for line in lines if "attempt 1 failed" in line["message"]]
    assert failed["eventId"] == headers["webhook-id"] and failed["requestId"]

def test_a_replay_goes_by_pages_of_batched_writes_and_keeps_each_lane_in_order(api, events):
    from chalicelib.store import webhooks as store

    receiver, flush = events
    hook = _subscribe(api, receiver.url, ["contact.updated"])
    kept = [{"id": f"evt_{n:04d}", "type": "contact.updated", "timestamp": f"2026-12-02T10:00:{n // 10:02d}.{n % 10}00Z",
             "lane": f"C{n % 3}", "data": {"id": f"C{n % 3}", "version": n, "changed": ["phone1"], "sequence": n}}
            for n in range(130)]
    store.log_events(kept, int(time.time()) + 3600)

    first = body(api.post(f"/webhooks/{hook['id']}/replay", {"since": "2026-12-02T10:00:00Z",
                                                               "until": "2026-12-02T11:00:00Z"}))
    assert first["replayed"] == 100 and first["cursor"]
    # the webhook, a page of the log, one Query per lane, 200 writes 25 a batch: never a call per event
    assert sorted(api.calls) == sorted(["GetItem", "Query"] + ["Query"] * 3 + ["BatchWriteItem"] * 8)
    rest = body(api.post(f"/webhooks/{hook['id']}/replay", {"since": "2026-12-02T10:00:00Z",
                                                              "until": "2026-12-02T11:00:00Z", "cursor": first["cursor"]}))
    assert rest == {"replayed": 30, "cursor": None}
    assert receiver.got == []  # queued by the requests, sent by the schedule

    _retry_until_quiet(api, flush, seconds=30)
    sent = receiver.verified(hook["secret"])
    assert sorted(e["id"] for e in sent) == [e["id"] for e in kept]
    for lane in ("C0", "C1", "C2"):
        sequence = [e["data"]["sequence"] for e in sent if e["data"]["id"] == lane]
        assert sequence == sorted(sequence)


def test_a_410_disables_the_webhook_and_a_deleted_one_gets_nothing(api, events):
    receiver, flush = events
    hook = _subscribe(api, receiver.url)
    receiver.script = [410]
    api.post("/saveContact", PERSON)
    flush()
    shown = body(api.get(f"/webhooks/{hook['id']}"))
    assert shown["enabled"] is False and "410" in shown["disabled_reason"]
    count = len(receiver.got)
    api.post("/saveContact", {**PERSON, "email": "z2@example.com", "phone1": "+1 415 555 0143"})
    flush()
    assert len(receiver.got) == count
    second = _subscribe(api, receiver.url)
    assert body(api.delete(f"/webhooks/{second['id']}"))["id"] == second["id"]
    api.post("/saveContact", {**PERSON, "email": "z3@example.com", "phone1": "+1 415 555 0144"})
    flush()
    assert len(receiver.got) == count
    assert api.get(f"/webhooks/{second['id']}").status_code == 404


def test_an_erasure_leaves_as_its_id_alone(api, events):
    receiver, flush = events
    hook = _subscribe(api, receiver.url, ["contact.erased"])
    api.post("/saveContact", PERSON)
    receipt = erase(api, {"phone": PERSON["phone1"]})
    flush()
    sent = receiver.verified(hook["secret"])
    assert [(e["type"], e["data"]) for e in sent] == [("contact.erased", {"erasure_id": receipt["id"],
                                                                          "sequence": 1})]


def test_a_rotated_secret_and_the_old_one_both_verify_for_a_day(api, events):
    receiver, flush = events
    hook = _subscribe(api, receiver.url)
    rotated = body(api.post(f"/webhooks/{hook['id']}/secret"))
    api.post("/saveContact", PERSON)
    flush()
    assert receiver.verified(rotated["secret"]) and receiver.verified(hook["secret"])
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 44).verify(receiver.got[0][1], receiver.got[0][0])


@pytest.mark.parametrize("asked, named", [
    ({"url": "ftp://example.com/x", "events": ["*"]}, "url"),
    ({"url": "http://example.com/x", "events": ["*"]}, "https"),
    ({"url": "https://example.com/x", "events": ["contact.exploded"]}, "contact.exploded"),
    ({"url": "https://example.com/x", "events": []}, "events"),
    ({"url": "https://example.com/x", "events": ["*"], "full_data": True}, "CIM_WEBHOOK_FULL_DATA"),
    ({"url": "https://user:pw@example.com/x", "events": ["*"]}, "credentials"),
])
def test_a_webhook_that_cannot_be_is_a_400_naming_why(api, asked, named):
    reply = api.post("/webhooks", asked)
    assert reply.status_code == 400 and named in body(reply)["Message"], body(reply)


def test_an_address_inside_this_network_is_refused_at_delivery(api, events, monkeypatch):
    from chalicelib.core.settings import get_settings

    receiver, flush = events
    hook = _subscribe(api, receiver.url)
    monkeypatch.setenv("CIM_WEBHOOK_ALLOW_LOOPBACK", "0")  # as in a deployed stage
    get_settings.cache_clear()
    api.post("/saveContact", PERSON)
    flush()
    assert receiver.got == []
    listed = body(api.get(f"/webhooks/{hook['id']}/deliveries"))["items"]
    assert listed[0]["status"] == "pending" and "must be https" in listed[0]["last_error"]


def test_the_same_events_go_to_the_eventbridge_bus_in_batches(api, events, monkeypatch):
    """A rule on the bus routes them to a queue, as a consumer would."""
    import boto3

    from chalicelib.core.settings import get_settings
    from chalicelib.store import eventbus

    receiver, flush = events
    monkeypatch.setenv("CIM_EVENT_BUS", "cim-events")
    get_settings.cache_clear()
    bus = boto3.client("events")
    bus.create_event_bus(Name="cim-events")
    queue = boto3.client("sqs").create_queue(QueueName="cim-consumer")["QueueUrl"]
    arn = boto3.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    bus.put_rule(Name="all-contacts", EventBusName="cim-events", EventPattern=json.dumps({"source": ["cim"]}))
    bus.put_targets(Rule="all-contacts", EventBusName="cim-events",
                    Targets=[{"Id": "q", "Arn": arn["Attributes"]["QueueArn"]}])
    made = body(api.post("/saveContact", PERSON))
    api.put(f"/contacts/{made['id']}/consents/recording", {"granted": True, "source": "ivr"})
    flush()
    got = boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    sent = [json.loads(m["Body"]) for m in got]
    assert [(e["detail-type"], e["source"]) for e in sent] == [("contact.created", "cim"), ("consent.changed", "cim")]
    assert sent[1]["detail"]["data"]["consents"] == {"recording": True}
    assert "Zelinda" not in json.dumps(sent)

    calls = []
    real = bus.put_events

    def refusing_once(**asked):  # the bus refuses the second entry once: it is sent again alone
        calls.append(len(asked["Entries"]))
        if len(calls) == 1:
            return {"FailedEntryCount": 1, "Entries": [{"EventId": "a"}, {"ErrorCode": "ThrottlingException"}]}
        return real(**asked)

    from chalicelib.store import aws
    monkeypatch.setattr(aws.client("events"), "put_events", refusing_once)
    twelve = [{"id": f"e{i}", "type": "contact.updated", "timestamp": "t", "data": {}} for i in range(12)]
    assert eventbus.publish("cim-events", twelve[:2]) == 2 and calls == [2, 1]
    calls.clear()
    calls.append(0)  # no refusal this time: 12 go as 10 + 2
    eventbus.publish("cim-events", twelve)
    assert calls[1:] == [10, 2]


def test_a_file_is_news_once_it_is_in_the_bucket_as_declared(api, events):
    import boto3

    from chalicelib.core.settings import get_settings

    receiver, flush = events
    hook = _subscribe(api, receiver.url, ["attachment.stored"])
    made = body(api.post("/saveContact", PERSON))
    created = body(api.post("/s3attachments", {"fileName": "invoice.pdf", "mimeType": "application/pdf",
                                               "size": 5, "contact_id": made["id"]}))
    api.get(f"/attachments/{created['id']}")  # pending: nothing yet
    flush()
    assert receiver.got == []
    boto3.client("s3").put_object(Bucket=get_settings().bucket_name, Key=created["upload"]["fields"]["key"],
                                  Body=b"%PDF-",
                                  ContentType="application/pdf")
    assert body(api.get(f"/attachments/{created['id']}"))["status"] == "stored"
    api.get(f"/attachments/{created['id']}")  # read again: still one event
    flush()
    sent = receiver.verified(hook["secret"])
    assert [(e["type"], e["data"]["id"], e["data"]["size"]) for e in sent] == [
        ("attachment.stored", created["id"], 5)]


def test_a_retry_comes_back_on_time_from_the_delay_queue(api, events, monkeypatch):
    """Deployed, a failed delivery is sent to an SQS queue with its wait as
    DelaySeconds; the queue's function carries the lane on when it arrives."""
    import boto3

    from app import app
    from chalicelib.core.settings import get_settings

    receiver, flush = events
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="cim-webhook-retries")["QueueUrl"]
    monkeypatch.setenv("CIM_WEBHOOK_RETRY_QUEUE", queue)
    monkeypatch.setenv("CIM_WEBHOOK_RETRY_SECONDS", "3,60")
    get_settings.cache_clear()
    hook = _subscribe(api, receiver.url, ["contact.*"])
    receiver.script = [503]
    api.post("/saveContact", PERSON)
    flush()
    assert len(receiver.got) == 1
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get("Messages") is None  # delayed: not yet
    time.sleep(2.5)
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get("Messages") is None  # 3 s ±10%, not 2.5
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=3)["Messages"]
    made = body(api.get("/getContactList"))[0]
    assert [json.loads(m["Body"]) for m in messages] == [{"webhook_id": hook["id"], "lane": made["id"]}]
    event = {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                          "attributes": {}, "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                          "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                          "awsRegion": "us-east-1"} for m in messages]}
    from chalice.test import Client

    with Client(app, stage_name="local") as client:
        assert client.lambda_.invoke("webhook_retries", event).payload == {"attempts": 1}
    assert [e["type"] for e in receiver.verified(hook["secret"])] == ["contact.created", "contact.created"]
    listed = body(api.get(f"/webhooks/{hook['id']}/deliveries"))["items"]
    assert (listed[0]["status"], listed[0]["attempts"]) == ("delivered", 2)
    poison = {"Records": [event["Records"][0] | {"body": "not json"}]}
    with Client(app, stage_name="local") as client:
        assert client.lambda_.invoke("webhook_retries", poison).payload == {"attempts": 0}
