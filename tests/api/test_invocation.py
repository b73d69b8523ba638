"""One context an invocation: every request and every Lambda function gets
an id of its own, the answer says it (X-Request-Id), the request log and the
unhandled-error line name it, and nothing of one invocation carries into the
next on the same thread."""
from __future__ import annotations

import base64
import copy
import json
import logging

from chalicelib.core import invocation
from tests.api.conftest import body
from tests.api.test_connect import invoke, sample


def _logged_ids(caplog) -> list[str]:
    return [json.loads(r.getMessage())["requestId"] for r in caplog.records if r.name == "cim.requests"]


def test_every_request_has_its_own_id_in_the_answer_and_the_log_line(api, caplog):
    caplog.set_level(logging.INFO, logger="cim.requests")
    first, second = api.get("/getSchema"), api.get("/getSchema")
    ids = [first.headers["X-Request-Id"], second.headers["X-Request-Id"]]
    assert ids[0] != ids[1] and all(len(i) == 32 for i in ids)
    assert _logged_ids(caplog)[-2:] == ids


def test_an_unhandled_error_is_logged_with_the_request_id_the_caller_sees(api, caplog, monkeypatch):
    from chalicelib.services.schema import schema

    def broken():
        raise RuntimeError("a bug")

    monkeypatch.setattr(schema, "attributes", broken)
    # Straight through the test client: a 500 is never a declared answer (api.get would fail on it).
    reply = api.client.http.get("/getSchema", headers={"Authorization": f"Bearer {api.key}"})
    assert reply.status_code == 500 and body(reply) == {"Code": "InternalServerError",
                                                       "Message": "An internal error occurred."}
    request_id = reply.headers["X-Request-Id"]
    assert {"level": "ERROR", "logger": "cim", "requestId": request_id,
            "message": f"unhandled error in request {request_id}"} in _lines(caplog)


def _lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name.startswith("cim")]


def test_every_line_a_function_logs_names_its_invocation(api, caplog):
    """Not only the request line: a Connect function's warning about a record
    it skipped names the invocation too, and the next one names its own."""
    records = sample("kinesis-records.json")["Records"]
    poison = copy.deepcopy(records[0])
    poison["kinesis"]["data"] = base64.b64encode(b"not json at all").decode()
    invoke(api, "connect_records", {"Records": [poison]})
    invoke(api, "connect_records", {"Records": [poison]})
    first, second = [line for line in _lines(caplog) if line["level"] == "WARNING"][-2:]
    sequence = poison["kinesis"]["sequenceNumber"]
    assert first["message"] == second["message"] == f"contact record {sequence} skipped: JSONDecodeError"
    assert first["requestId"] and second["requestId"] and first["requestId"] != second["requestId"]
    assert first["eventId"] == second["eventId"] == poison["eventID"]  # the record, within its batch


def test_a_line_logged_for_one_record_of_a_batch_names_that_record_and_only_while_it_is_handled(caplog):
    caplog.set_level(logging.INFO, logger="cim")
    log = logging.getLogger("cim")
    invocation.begin("batch-1")
    with invocation.handling("shardId-000:49590338271490256608559692538361571095921575989136588898"):
        log.info("inside")
        with invocation.handling("a\nforged line"):  # not printable: named as no record
            log.info("unreadable")
    log.info("after")
    invocation.begin("batch-2")
    log.info("next")
    lines = {line["message"]: line for line in _lines(caplog)}
    assert lines["inside"]["eventId"] == "shardId-000:49590338271490256608559692538361571095921575989136588898"
    assert "eventId" not in lines["unreadable"] and "eventId" not in lines["after"]
    assert (lines["after"]["requestId"], lines["next"]["requestId"]) == ("batch-1", "batch-2")


def test_a_connect_function_is_named_by_the_contact_it_serves_and_keeps_nothing_of_the_last_request(api,
                                                                                                     monkeypatch):
    from chalicelib.services.calls import connect

    api.get("/getSchema")  # a request on this thread first: its actor and base must not carry over
    seen = []
    real = connect.flow_lookup

    def watching(event):
        now = invocation.current()
        seen.append((now.request_id, now.actor.who if now.actor else None, now.public_base, now.session))
        return real(event)

    monkeypatch.setattr(connect, "flow_lookup", watching)
    event = sample("flow-lookup.json")
    invoke(api, "connect_lookup", event)
    assert seen == [(event["Details"]["ContactData"]["ContactId"], "amazon-connect", None, None)]


LAMBDA_LIKE = """
import logging, sys
# What the Lambda runtime sets up before it imports the function: a root
# handler that puts its text prefix before every message.
runtime = logging.StreamHandler(sys.stderr)
runtime.setFormatter(logging.Formatter("[%(levelname)s]\\t2026-12-03T10:00:00.000Z\\tlambda-request\\t%(message)s"))
logging.getLogger().addHandler(runtime)
from chalice.test import Client
from moto import mock_aws
from devtools.bootstrap import ensure_all
from tests.api.conftest import Api
with mock_aws():
    ensure_all()
    from app import app
    with Client(app, stage_name="local") as client:
        Api(client).get("/getSchema")
        Api(client).get("/contacts/" + "F" * 32)
"""


def test_in_lambda_each_line_is_one_json_object_on_standard_output():
    """CloudWatch Logs Insights reads a log event's fields when the event is
    a JSON object: the runtime's text prefix must not come before it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIM_", "AWS_", "LAMBDA_"))} | {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
        "CIM_TABLE_NAME": "cim-test", "CIM_BUCKET_NAME": "cim-test-attachments", "CIM_METRICS": "off",
        "CIM_TRACING": "off", "CIM_ADMIN_KEY": "test-admin-key-0123456789",
        "CIM_SIGNING_SECRET": "test-signing-secret-of-at-least-32-characters",
        "LAMBDA_TASK_ROOT": str(root), "AWS_LAMBDA_FUNCTION_NAME": "cim-dev"}
    done = subprocess.run([sys.executable, "-c", LAMBDA_LIKE], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]  # every line parses whole
    routes = [(line["route"], line["status"]) for line in lines if line.get("logger") == "cim.requests"]
    assert routes == [("/getSchema", 200), ("/contacts/{contact_id}", 404)]
    assert all(line["requestId"] for line in lines)
    assert "requestId" not in done.stderr  # not once more through the runtime's handler
