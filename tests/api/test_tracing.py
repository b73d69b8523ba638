"""X-Ray: in Lambda, a request's trace holds a subsegment for each DynamoDB
call it made, sent to the X-Ray daemon's UDP address as the SDK does; outside
Lambda nothing is patched or sent.

Each case runs in a process of its own: patching botocore lasts for the life
of a process, as it does in a Lambda container."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACE_ROOT = "1-67891233-abcdef012345678912345678"
PARENT = "53995c3f42cd8ad8"

# One lookup by HTTP and one by the Connect function, as the API's and the
# flow's functions would answer them, against moto.
INVOCATIONS = """
import json, sys
from chalice.test import Client
from moto import mock_aws
from devtools.bootstrap import ensure_all
from tests.api.conftest import Api
with mock_aws():
    ensure_all()
    from app import app
    with Client(app, stage_name="local") as client:
        api = Api(client)
        made = api.post("/saveContact", {"first_name": "Mira", "last_name": "Koski", "phone1": "+14155550177"})
        calls = api.calls
        looked = api.get("/contacts/lookup?ani=%2B14155550177")
        calls = calls + api.calls
        event = {"Name": "ContactFlowEvent", "Details": {"ContactData": {"ContactId": "c-1",
                 "CustomerEndpoint": {"Address": "+14155550177", "Type": "TELEPHONE_NUMBER"}}, "Parameters": {}}}
        flow = client.lambda_.invoke("connect_lookup", event).payload
    from chalicelib.core import tracing
    from chalicelib.integrations import webhooks
    from http.server import BaseHTTPRequestHandler, HTTPServer
    import threading
    class Target(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()
        def log_message(self, *args):
            pass
    target = HTTPServer(("127.0.0.1", 0), Target)
    threading.Thread(target=target.handle_request, daemon=True).start()
    hook = f"http://127.0.0.1:{target.server_port}/cim-events"
    delivered = webhooks.post(hook, b"{}", {}, 5, allow_loopback=True).status
    print(json.dumps({"hook": hook, "delivered": delivered,"statuses": [made.status_code, looked.status_code], "flow": flow["match"], "calls": calls,
                      "tracing": tracing.start()}))
"""


def _run(environment: dict[str, str]) -> tuple[dict, list[dict], str]:
    """Run the invocations with ``environment``; their answers, the
    documents the X-Ray daemon would have received, and what was logged."""
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(0.2)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIM_", "AWS_", "LAMBDA_", "_X_AMZN"))}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
            "CIM_TABLE_NAME": "cim-test", "CIM_BUCKET_NAME": "cim-test-attachments", "CIM_METRICS": "off",
            "CIM_ADMIN_KEY": "test-admin-key-0123456789",
            "CIM_SIGNING_SECRET": "test-signing-secret-of-at-least-32-characters",
            "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}"} | environment
    done = subprocess.run([sys.executable, "-c", INVOCATIONS], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    documents = []
    try:
        while True:
            header, _, document = daemon.recv(65536).decode().partition("\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            documents.append(json.loads(document))
    except TimeoutError:
        pass
    finally:
        daemon.close()
    return json.loads(done.stdout.strip().splitlines()[-1]), documents, done.stderr


def test_in_lambda_every_dynamodb_call_is_a_subsegment_of_the_invocations_trace():
    answers, documents, _ = _run({"LAMBDA_TASK_ROOT": str(ROOT), "AWS_LAMBDA_FUNCTION_NAME": "cim-dev",
                                  "_X_AMZN_TRACE_ID": f"Root={TRACE_ROOT};Parent={PARENT};Sampled=1"})
    http_calls, hook = answers.pop("calls"), answers.pop("hook")
    assert answers.pop("delivered") == 204
    assert answers == {"statuses": [200, 200], "flow": "unique", "tracing": True}
    assert documents, "no subsegment reached the daemon"
    assert {d["trace_id"] for d in documents} == {TRACE_ROOT}
    assert {d["parent_id"] for d in documents} == {PARENT}  # under the segment Lambda made
    calls = [d for d in documents if d.get("namespace") == "aws" and d["name"] == "dynamodb"]
    operations = Counter(d["aws"]["operation"] for d in calls)
    assert Counter(http_calls) <= operations, (http_calls, operations)  # each call of the two requests, and more
    assert operations.total() > len(http_calls)  # the flow function's lookup
    assert {d["aws"]["table_name"] for d in calls if "table_name" in d["aws"]} == {"cim-test"}
    assert all(d["end_time"] >= d["start_time"] for d in calls)
    outside = [d for d in documents if d.get("namespace") == "remote"]
    assert {(d["name"], d["http"]["request"]["url"].split("/", 3)[3]) for d in outside} == {
        ("127.0.0.1", hook.split("/", 3)[3])}  # the port is left out of the recorded address
    assert {d["http"]["request"]["method"] for d in outside} == {"POST", "READ"}  # sending it, reading the answer  # a webhook delivery, as the contact center's calls
    sent = json.dumps(documents)
    assert not [w for w in ("4155550177", "Mira", "Koski") if w in sent]  # ids and operations, no personal data


def test_outside_lambda_and_when_turned_off_nothing_is_patched_or_sent():
    answers, documents, _ = _run({})
    assert (answers["statuses"], answers["flow"], answers["delivered"], answers["tracing"], documents) == (
        [200, 200], "unique", 204, False, [])
    answers, documents, _ = _run({"LAMBDA_TASK_ROOT": str(ROOT), "AWS_LAMBDA_FUNCTION_NAME": "cim-dev",
                                  "_X_AMZN_TRACE_ID": f"Root={TRACE_ROOT};Parent={PARENT};Sampled=1",
                                  "CIM_TRACING": "off"})
    assert (answers["tracing"], documents) == (False, [])


def test_an_invocation_not_sampled_sends_nothing_and_logs_nothing_of_it():
    """A function whose tracing is PassThrough, or a request X-Ray chose not
    to sample: Lambda says ``Sampled=0``."""
    answers, documents, logged = _run({"LAMBDA_TASK_ROOT": str(ROOT), "AWS_LAMBDA_FUNCTION_NAME": "cim-dev",
                                       "_X_AMZN_TRACE_ID": f"Root={TRACE_ROOT};Parent={PARENT};Sampled=0"})
    assert (answers["statuses"], answers["flow"], answers["tracing"], documents) == ([200, 200], "unique", True, [])
    assert "segment" not in logged.lower(), logged[-2000:]
