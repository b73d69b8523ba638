"""Outbound events end to end: the server ``make run`` starts reads its
table's stream and runs its schedules, and delivers over real HTTP to a
receiver that fails some first attempts and times out once. Every event
arrives, each verified with ``standardwebhooks``, in order per contact; the
failures are listed; a replay redelivers; an erasure leaves as its id."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from tests.api.test_webhooks import Receiver
from tests.e2e.conftest import start_server, stop_server

pytestmark = [pytest.mark.e2e, pytest.mark.takes(16)]
DATA = Path(tempfile.mkdtemp(prefix="cim-e2e-events-"))
NAMES = ("Odile", "Ravi", "Sunniva")


@pytest.fixture(scope="module")
def server():
    running = start_server({"CIM_TABLE_NAME": "cim-e2e-events", "CIM_DATA_DIR": str(DATA),
                            "CIM_WEBHOOK_RETRY_SECONDS": "1,1,1", "CIM_WEBHOOK_TIMEOUT_SECONDS": "1"})
    yield running
    stop_server(running)


def ok(reply, *statuses):
    assert reply.status_code in (statuses or (200,)), (reply.status_code, reply.text)
    return reply.json() if reply.content else None


def wait_for(check, seconds: float = 30.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("not in time")


def test_every_change_arrives_verified_in_order_through_failures_and_a_timeout(server):
    receiver = Receiver()
    receiver.script = [500, "sleep", 503]  # the first three attempts fail (one by timing out)
    hook = ok(server("POST", "/webhooks", json={"url": receiver.url, "events": ["contact.*"]}), 201)
    made = [ok(server("POST", "/saveContact", json={"first_name": name, "phone1": f"+1 415 555 03{i:02d}"}))
            for i, name in enumerate(NAMES)]
    for contact in made:
        for version in (1, 2):
            ok(server("PUT", f"/contacts/{contact['id']}", json={"phone2": f"+1 415 555 04{version:02d}"},
                      headers={"If-Match": str(version)}))
    expected = {c["id"]: [("contact.created", 1), ("contact.updated", 2), ("contact.updated", 3)] for c in made}

    def arrived():
        events = [Webhook(hook["secret"]).verify(data, headers) for headers, data in receiver.got]
        seen: dict[str, list] = {}
        for event in events:
            pair = (event["type"], event["data"]["sequence"])
            if pair not in seen.setdefault(event["data"]["id"], []):
                seen[event["data"]["id"]].append(pair)
        return seen if seen == expected else None

    wait_for(arrived)
    for contact in made:  # per contact, in order: never a later version before an earlier one
        sequences = [e["data"]["sequence"] for e in (Webhook(hook["secret"]).verify(d, h) for h, d in receiver.got)
                     if e["data"]["id"] == contact["id"]]
        assert sequences == sorted(sequences), sequences
    deliveries = ok(server("GET", f"/webhooks/{hook['id']}/deliveries?limit=50"))["items"]
    assert len(deliveries) == 9 and all(d["status"] == "delivered" for d in deliveries)
    assert sum(d["attempts"] for d in deliveries) == 9 + 3

    before = len(receiver.got)
    since = min(d["timestamp"] for d in deliveries)
    assert ok(server("POST", f"/webhooks/{hook['id']}/replay", json={"since": since}))["replayed"] == 9
    wait_for(lambda: len(receiver.got) >= before + 9)

    erased = ok(server("POST", "/privacy/erasures", json={"phone": "+1 415 555 0300"}), 201, 202)
    wait_for(lambda: any(b'"contact.erased"' in data for _, data in receiver.got))
    last = [Webhook(hook["secret"]).verify(d, h) for h, d in receiver.got if b'"contact.erased"' in d]
    assert last[0]["data"] == {"erasure_id": erased["id"], "sequence": 1}
    # No name and no number in any form (not "555" alone: a random hex id holds it now and then).
    numbers = [b"555 03", b"555 04", b"55503", b"55504"]
    assert not any(name.encode() in data or any(n in data for n in numbers)
                   for _, data in receiver.got for name in NAMES)

    receiver.script = [410]  # the target is gone: the webhook is disabled, nothing more is sent
    ok(server("PUT", f"/contacts/{made[1]['id']}", json={"phone2": "+1 415 555 0499"}, headers={"If-Match": "3"}))
    wait_for(lambda: not ok(server("GET", f"/webhooks/{hook['id']}"))["enabled"])
    deleted = ok(server("POST", "/webhooks", json={"url": receiver.url, "events": ["*"]}), 201)
    ok(server("DELETE", f"/webhooks/{deleted['id']}"))
    count = len(receiver.got)
    ok(server("PUT", f"/contacts/{made[2]['id']}", json={"phone2": "+1 415 555 0498"}, headers={"If-Match": "3"}))
    time.sleep(3)  # the stream is read every half second, retries every two
    assert len(receiver.got) == count
    receiver.server.shutdown()
