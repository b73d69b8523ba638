"""The e2e workflow with faults from below: ``CIM_FAULT_RATE`` makes a
share of the server's DynamoDB and S3 calls fail as AWS fails; every answer
over HTTP is a success or a 503 with ``Retry-After``, and a client that
retries with its ``Idempotency-Key`` gets each contact created once."""
from __future__ import annotations

import time

import pytest
import requests

from tests.conftest import ADMIN_KEY
from tests.e2e.conftest import start_server, stop_server

pytestmark = pytest.mark.e2e
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}


def retried(method: str, url: str, **kw) -> requests.Response:
    """As a careful client: a 503 is tried again after its Retry-After."""
    for _ in range(20):
        reply = requests.request(method, url, headers=HEADERS | kw.pop("headers", {}), timeout=30, **kw)
        assert reply.status_code < 500 or (reply.status_code == 503 and reply.headers.get("Retry-After")), \
            (method, url, reply.status_code, reply.text[:300])
        if reply.status_code != 503:
            return reply
        time.sleep(0.05)
    raise AssertionError(f"{method} {url}: still 503 after 20 tries")


def test_a_workflow_under_faults_never_sees_a_500_and_creates_once():
    server = start_server({"CIM_TABLE_NAME": "cim-e2e-faults", "CIM_FAULT_RATE": "0.2"})
    try:
        created = []
        for n in range(12):
            reply = retried("POST", server.url + "/saveContact", json={
                "first_name": f"Fault{n}", "phone1": f"+1 415 555 {3000 + n}"}, headers={"Idempotency-Key": f"f-{n}"})
            assert reply.status_code == 200, reply.text
            created.append(reply.json()["id"])
            leg = retried("POST", f"{server.url}/interactions/updateOrSaveInteractionTree/FE-{n}", json={
                "interaction": {"leg_id": "ivr", "type": "voice"}, "ani": f"+1 415 555 {3000 + n}"})
            assert leg.status_code == 200
            assert retried("PUT", f"{server.url}/contacts/{created[-1]}", json={"last_name": "Ok"}).status_code == 200
        for n, contact_id in enumerate(created):
            found = retried("GET", f"{server.url}/contacts/lookup?ani=%2B1415555{3000 + n}").json()
            assert found["match"] == "unique" and found["contacts"][0]["id"] == contact_id  # once, findable
            history = retried("GET", f"{server.url}/interactions/loadInteractions/{contact_id}").json()
            assert [t["call_Id"] for t in history] == [f"FE-{n}"]
    finally:
        stop_server(server)
