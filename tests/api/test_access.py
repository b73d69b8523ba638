"""Who gets in where: every registered route x every kind of credential."""
from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.api import access
from chalicelib.api.routing import OPERATIONS
from chalicelib.core import roles
from tests.api.conftest import body

SAMPLE = {"contact_id": "A" * 32, "id": "B" * 32, "last_id": "C" * 32, "schema_id": "D" * 32,
          "job_id": "E" * 32, "key_id": "F" * 32, "attachment_id": "A" * 32, "call_Id": "CALL-1",
          "name": "ann", "code": "x" * 22, "erasure_id": "E" * 32, "request_id": "F" * 32,
          "usage": "recording", "webhook_id": "A" * 32, "followup_id": "B" * 32, "merge_id": "C" * 32, "scan_id": "D" * 32}


def concrete(path: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: SAMPLE[m.group(1)], path)


@pytest.fixture
def credentials(api):
    made = {}
    for role in ("ivr", "agent", "admin"):
        made[role] = body(api.post("/keys", {"name": f"{role}-key", "role": role}))["key"]
    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    made["expired"] = body(api.post("/keys", {"name": "old", "role": "admin", "expires_at": soon}))["key"]
    time.sleep(1.1)  # a key cannot be born expired: this one lived a second
    revoked = body(api.post("/keys", {"name": "gone", "role": "admin"}))
    api.delete(f"/keys/{revoked['id']}")
    made["revoked"] = revoked["key"]
    made["bad"] = "cim_not-a-real-key"
    made["none"] = None
    return made


def test_every_route_is_in_the_role_table_and_the_table_names_only_real_routes():
    from app import app

    registered = {(m, p) for p, methods in app.routes.items() for m in methods}
    assert registered == set(access.role_table())


def test_the_authorization_matrix(api, credentials):
    from app import app

    for path, methods in sorted(app.routes.items()):
        for method in sorted(methods):
            needed = access.role_table()[(method, path)]
            for who, key in credentials.items():
                reply = api.as_key(key).request(method, concrete(path), {} if method in ("POST", "PUT") else None)
                where = f"{method} {path} as {who}: {reply.status_code} {reply.body[:120]!r}"
                if OPERATIONS[(method, path)].session:
                    # The desk takes no key: without a session a page sends the browser to sign in; a write is refused.
                    assert reply.status_code in ((303,) if method == "GET" else (401, 415)), where
                    continue
                assert reply.headers.get("Content-Type", "application/json").startswith(
                    ("application/json", "text/html", "text/plain")), where
                if needed == roles.PUBLIC:
                    # No key is asked for (the webhook checks its own signature).
                    assert reply.status_code != 401 or "X-CIM-Signature" in body(reply)["Message"], where
                elif who in ("none", "bad", "expired", "revoked"):
                    # One error format: the authorizer's 401 is {"Code", "Message"} like every other error.
                    assert reply.status_code == 401, where
                    assert body(reply)["Code"] == "Unauthorized" and "Bearer" in body(reply)["Message"], where
                elif roles.RANK[who] < roles.RANK[needed]:
                    assert reply.status_code == 403, where
                    assert body(reply)["Code"] == "Forbidden" and f"needs {needed}" in body(reply)["Message"], where
                else:
                    assert reply.status_code not in (401, 403), where


def test_an_ivr_key_can_look_up_and_save_legs_and_nothing_else(api, credentials):
    ivr = api.as_key(credentials["ivr"])
    assert ivr.post("/contacts/lookup", {"ani": "4155550100"}).status_code == 200
    assert ivr.post("/interactions/updateOrSaveInteractionTree/C1", {"interaction": {"type": "voice"}}).status_code == 200
    assert ivr.post("/saveContact", {"first_name": "X"}).status_code == 403
    assert ivr.get("/interactions/C1").status_code == 403
    assert ivr.post("/saveSchema", {"label": "X", "key": "x", "type": "text"}).status_code == 403


def test_a_revoked_key_stops_working_and_keys_are_listed_without_secrets(api):
    made = body(api.post("/keys", {"name": "desk-1", "role": "agent"}))
    assert made["key"].startswith("cim_") and len(made["key"]) >= 40
    agent = api.as_key(made["key"])
    assert agent.get("/getContactList").status_code == 200
    listed = body(api.get("/keys"))
    assert [k["name"] for k in listed] == ["desk-1"] and "key" not in listed[0]
    assert listed[0]["last_used_at"] is not None
    assert body(api.delete(f"/keys/{made['id']}"))["revoked"] is True
    assert agent.get("/getContactList").status_code == 401
    assert api.delete("/keys/" + "0" * 32).status_code == 404


def test_bad_key_requests(api):
    assert api.post("/keys", {"name": "x", "role": "root"}).status_code == 400
    assert api.post("/keys", {"name": "", "role": "ivr"}).status_code == 400
    assert api.post("/keys", {"name": "x", "role": "ivr", "expires_at": "soon"}).status_code == 400
    born_expired = api.post("/keys", {"name": "x", "role": "ivr", "expires_at": "2020-01-01T00:00:00Z"})
    assert born_expired.status_code == 400 and "expires_at" in body(born_expired)["Message"]


def test_logs_never_hold_personal_values_or_keys(api, caplog):
    secret = body(api.post("/keys", {"name": "logger", "role": "admin"}))["key"]
    caplog.clear()
    person = {"first_name": "Zebulon", "last_name": "Quixote", "phone1": "+1 415 555 0123",
              "email": "zebulon.quixote@example.com"}
    with caplog.at_level(logging.INFO):  # every logger, at the level the service runs at
        agent = api.as_key(secret)
        made = body(agent.post("/saveContact", person))
        agent.get("/contacts/getContactByName/Zebulon")
        agent.get("/contacts?phone=%2B14155550123&email=zebulon.quixote%40example.com")
        agent.post("/contacts/lookup", {"ani": "+1 415 555 0123"})
        agent.post("/saveContact", {"first_name": "Zebulon", "phone1": "not a phone"})
    text = caplog.text
    lines = [r.getMessage() for r in caplog.records if r.name == "cim.requests"]
    assert len(lines) == 5 and all('"keyName":"logger"' in line for line in lines)
    assert '"route":"/contacts/getContactByName/{name}"' in text
    # Each line carries what its DynamoDB calls consumed: the lookup read
    # (rules, index, contact); the refused save read nothing.
    lookup = json.loads(lines[3])
    refused = json.loads(lines[4])
    assert lookup["route"] == "/contacts/lookup" and lookup["readUnits"] > 0 and lookup["writeUnits"] == 0
    assert refused["status"] == 400 and refused["readUnits"] == 0 and refused["writeUnits"] == 0
    for value in ("Zebulon", "Quixote", "4155550123", "555 0123", "zebulon.quixote", secret, made["id"]):
        assert value not in text, value


def test_the_bootstrap_admin_key_can_come_from_ssm(api, monkeypatch):
    from chalicelib.core.settings import get_settings
    from chalicelib.store import aws, secrets

    aws.client("ssm").put_parameter(Name="/cim/dev/admin-key", Value="from-ssm-0123456789", Type="SecureString")
    monkeypatch.delenv("CIM_ADMIN_KEY")
    monkeypatch.setenv("CIM_ADMIN_KEY_PARAMETER", "/cim/dev/admin-key")
    get_settings.cache_clear()
    secrets.parameter.cache_clear()
    assert api.as_key("from-ssm-0123456789").get("/keys").status_code == 200
    assert api.as_key("test-admin-key-0123456789").get("/keys").status_code == 401


def test_make_key_creates_a_working_key(api, capsys):
    from devtools import keys as key_tool

    assert key_tool.main(["--role", "agent", "--name", "desk-9"]) == 0
    made = __import__("json").loads(capsys.readouterr().out)
    assert made["role"] == "agent" and api.as_key(made["key"]).get("/getContactList").status_code == 200


def test_a_revocation_between_a_requests_read_and_its_last_used_write_sticks(api):
    """The race the red team found: a request reads the key (not revoked), the
    key is revoked, then the request writes its last-used time. That write
    must not bring the key back."""
    from chalicelib.services.access import apikeys
    from chalicelib.store import apikeys as key_store

    made = body(api.post("/keys", {"name": "desk-race", "role": "agent"}))
    real_touch = key_store.touch
    wrote: list[bool] = []

    def revoke_then_touch(*args, **kwargs):
        assert api.delete(f"/keys/{made['id']}").status_code == 200  # lands between the read and the write
        wrote.append(real_touch(*args, **kwargs))
        return wrote[-1]

    key_store.touch = revoke_then_touch
    try:
        assert apikeys.authenticate(f"Bearer {made['key']}") is not None  # this request was already in flight
    finally:
        key_store.touch = real_touch
    assert wrote == [False]
    listed = {k["id"]: k for k in body(api.get("/keys"))}
    assert listed[made["id"]]["revoked"] is True and listed[made["id"]]["last_used_at"] is None
    assert apikeys.authenticate(f"Bearer {made['key']}") is None
    assert api.as_key(made["key"]).get("/getContactList").status_code == 401
