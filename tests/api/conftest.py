"""API tests: ``chalice.test.Client`` over moto's ``mock_aws``, with the table
created from the same definition that deploys."""
from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.core import metering
from chalicelib.store import aws
from devtools.bootstrap import ensure_all
from devtools.emulator import scale_like_dynamodb
from tests.conftest import ADMIN_KEY


class Api:
    """A JSON client over the app, counting the DynamoDB calls of each request.
    It sends the bootstrap admin key unless told otherwise."""

    def __init__(self, client: Client, key: str | None = ADMIN_KEY) -> None:
        self.client = client
        self.key = key
        self.calls: list[str] = []
        self.read_units = 0.0

    def as_key(self, key: str | None) -> Api:
        return Api(self.client, key)

    def request(self, method: str, path: str, body: Any = None, *, raw: bytes | str | None = None,
                headers: dict[str, str] | None = None):
        sent = raw if raw is not None else (json.dumps(body) if body is not None else None)
        hdrs = {"Content-Type": "application/json"} | (headers or {})
        if self.key and "Authorization" not in hdrs:
            hdrs["Authorization"] = f"Bearer {self.key}"
        aws.start_counting()
        reply = self.client.http.request(method, path, body=sent, headers=hdrs)
        self.calls = aws.counted_calls()
        self.read_units = metering.counted_units()["read"]
        answered_as_declared(method, path, reply.status_code)
        return reply

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def declared_statuses(method: str, path: str) -> set[int] | None:
    """The statuses the OpenAPI document declares for the route ``path``
    reaches (None: not an API route, e.g. a desk page)."""
    import re

    from chalicelib.api.spec import document

    bare = path.split("?", 1)[0]
    # Fixed paths first: /contacts/bulk is not /contacts/{contact_id}.
    for template, operations in sorted(document()["paths"].items(), key=lambda t: t[0].count("{")):
        pattern = "[^/]+".join(re.escape(part) for part in re.split(r"\{[^}]+\}", template))
        if re.fullmatch(pattern, bare) and method.lower() in operations:
            return {int(code) for code in operations[method.lower()]["responses"]}
    return None


def answered_as_declared(method: str, path: str, status: int) -> None:
    """Every answer any api test receives is one its operation declares in
    the OpenAPI document, so a generated client knows every status it meets."""
    known = declared_statuses(method, path)
    assert known is None or status in known, \
        f"{method} {path.split('?')[0]} answered {status}, which its operation does not declare ({sorted(known)})"


@pytest.fixture
def aws_mock():
    scale_like_dynamodb()  # as `make run` does: cost per call, not per table size
    with mock_aws():
        ensure_all()
        yield


@pytest.fixture
def api(aws_mock):
    from app import app
    from devtools.serve import answer_missing_keys_like_the_gateway

    answer_missing_keys_like_the_gateway()  # as `make run` does, and API Gateway's gateway responses

    # The local stage sets no environment variables: the test's own stay in force.
    with Client(app, stage_name="local") as client:
        yield Api(client)


def body(reply) -> Any:
    return json.loads(reply.body)


@pytest.fixture
def table_items(aws_mock):
    """Every item in the table (a test-only Scan, to prove nothing is left behind)."""
    from chalicelib.core.settings import get_settings

    def read() -> list[dict[str, Any]]:
        reply = aws.dynamodb().scan(TableName=get_settings().table_name)
        return reply["Items"]

    return read


def add_attributes(api: Api, **types: str | dict[str, Any]) -> dict[str, Any]:
    """Add schema attributes: ``tier="text"`` or ``tier={"type": "text", "searchable": True}``."""
    made = {}
    for key, spec in types.items():
        spec = {"type": spec} if isinstance(spec, str) else spec
        reply = api.post("/saveSchema", {"label": key.replace("_", " ").title(), "key": key} | spec)
        assert reply.status_code in (200, 202), reply.body
        made[key] = json.loads(reply.body)
    api.get("/getSchema")  # the schema is cached again: later call counts are steady-state ones
    return made


@pytest.fixture
def signed(monkeypatch):
    """The push webhook's secret set (the one ``tests/api/test_rci_sync.py`` signs with)."""
    from chalicelib.core.settings import get_settings
    from tests.api.test_rci_sync import SECRET

    monkeypatch.setenv("CIM_RCI_WEBHOOK_SECRET", SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def erase(api: Api, asked: dict[str, Any]) -> dict[str, Any]:
    """Ask for an erasure and run it to the end, as the scheduler would: each
    request stays within the DynamoDB call cap; the receipt, done."""
    from chalicelib.core.metering import MAX_CALLS_PER_REQUEST

    reply = api.post("/privacy/erasures", asked)
    assert reply.status_code in (201, 202), reply.body
    receipt = json.loads(reply.body)
    for _ in range(100):
        assert len(api.calls) <= MAX_CALLS_PER_REQUEST, api.calls
        if receipt["state"] == "done":
            return receipt
        receipt = json.loads(api.post(f"/privacy/erasures/{receipt['id']}/run").body)
    raise AssertionError(f"erasure {receipt['id']} did not finish")


@pytest.fixture
def sinch_center(monkeypatch):
    """Sinch Contact Center's RMI and RCI (a fake over real HTTP), configured."""
    from chalicelib.core.settings import get_settings
    from chalicelib.integrations import sinch
    from tests.fakes.contact_center import FakeContactCenter

    monkeypatch.setattr(sinch, "FIRST_BACKOFF", 0.01)
    with FakeContactCenter() as fake:
        monkeypatch.setenv("CIM_SINCH_BASE_URL", fake.base_url)
        monkeypatch.setenv("CIM_SINCH_USER", fake.USER)
        monkeypatch.setenv("CIM_SINCH_PASSWORD", fake.PASSWORD)
        get_settings.cache_clear()
        yield fake
    get_settings.cache_clear()
