"""The standing adversarial suite: hostile input, sent to every route the
registry declares, never gets a 5xx, and an answer that is an error leaves
the table exactly as it was (no half-written state behind a 4xx).

Families (from red-team passes): deep nesting, numbers DynamoDB cannot store,
integers past Python's digit limit, datetimes outside years 1-9999 once in
UTC and durations that push a call past them, multi-byte strings past key
limits, lone surrogates and control characters, oversized trees, poisoned
batches, huge name searches. Every request stays within the DynamoDB call
cap per request."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app  # noqa: F401 - the routes declare themselves on import
from chalicelib.api.routing import OPERATIONS
from chalicelib.core.metering import MAX_CALLS_PER_REQUEST
from chalicelib.store import aws
from tests.api.conftest import add_attributes, body
from tests.fakes.contact_center import push_headers

WEBHOOK_SECRET = "adversarial-webhook-secret"
DEEP = "[" * 5000 + "]" * 5000
EXTREME_NUMBERS = [1e300, -1.7976931348623157e308, 1e-300, 10 ** 41, -(10 ** 45), 0.1 ** 140]
EXTREME_NUMBER_TEXTS = ["1e300", "1e-300", "1" * 42, "NaN", "Infinity", "-1e126"]
EXTREME_DATETIMES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:30:00+00:45"]
LONG_MULTIBYTE = "😀" * 1000
HUGE_INT = "__HUGE_INT__"  # sent as 5,000 digits (Python's json cannot write it; a client can)
BROKEN_TEXT = ["n\ud800", "a\x00b", "line\u2028break", "\x1b[31mred"]
TIME_OVERFLOW = [1e125, "9" * 37, 10 ** 9 + 1]


def _nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = {"n": value}
    return value


POISON = st.one_of(
    st.sampled_from(EXTREME_NUMBERS),
    st.sampled_from(EXTREME_NUMBER_TEXTS),
    st.sampled_from(EXTREME_DATETIMES),
    st.just(LONG_MULTIBYTE),
    st.integers(min_value=40, max_value=200).map(_nested),
    st.lists(st.sampled_from(EXTREME_NUMBERS), min_size=1, max_size=3),
    st.just(HUGE_INT),
    st.sampled_from(BROKEN_TEXT),
    st.sampled_from(TIME_OVERFLOW),
)


@pytest.fixture
def armed(api, monkeypatch):
    """A schema with every kind of attribute, a contact, a call and a webhook secret."""
    monkeypatch.setenv("CIM_RCI_WEBHOOK_SECRET", WEBHOOK_SECRET)
    from chalicelib.core.settings import get_settings

    get_settings.cache_clear()
    add_attributes(api, score="number", born={"type": "datetime"}, code={"type": "text", "unique": True},
                   tag={"type": "text", "searchable": True}, labels="list")
    contact = body(api.post("/saveContact", {"first_name": "Ann", "last_name": "Lee", "phone1": "415-555-0100"}))
    api.post("/interactions/updateOrSaveInteractionTree/CALL-1",
             {"interaction": {"type": "voice"}, "ani": "+14155550100"})
    return {"contact_id": contact["id"]}


def _snapshot() -> list:
    from chalicelib.core.settings import get_settings

    items = aws.dynamodb().scan(TableName=get_settings().table_name)["Items"]
    return sorted(json.dumps(i, sort_keys=True) for i in items)


def _path(template: str, ids: dict[str, str]) -> str:
    values = {"contact_id": ids["contact_id"], "id": ids["contact_id"], "call_Id": "CALL-1", "name": "Ann",
              "last_id": ids["contact_id"]}
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "0" * 32), template)


def _body_for(operation, field: str, poison: object) -> object:
    """A request that is right but for one poisoned field."""
    example = operation.example or {}
    if operation.path == "/rci/contacts":
        good = dict(example)
        bad = dict(example, id="F" * 32, **{field: poison})
        return [good, bad]
    if operation.path == "/contacts/bulk":
        return {"contacts": [{"first_name": "Bo"}, {"first_name": "Cy", field: poison}]}
    if "interaction" in example:
        return {**example, "interaction": {**example["interaction"], field: poison}}
    return {**example, field: poison}


FIELDS = ["first_name", "phone1", "email", "score", "born", "code", "tag", "labels", "start_time", "call_duration",
          "ivr_trail", "handlingDuration", "arrivalTime", "default", "expires_at", "size", "ani", "callVariables",
          "varNumber", "extra"]
assert len(OPERATIONS) > 40
WRITES = sorted(k for k, op in OPERATIONS.items() if op.request is not None and op.method in ("POST", "PUT"))


def _send(api, operation, path: str, payload: object):
    raw = json.dumps(payload).replace(f'"{HUGE_INT}"', "9" * 5000)
    headers = {"Content-Type": operation.request_media}
    if operation.path == "/rci/contacts":
        headers |= push_headers(WEBHOOK_SECRET, raw.encode())
    return api.request(operation.method, path, raw=raw, headers=headers)


@pytest.mark.parametrize("route", WRITES, ids=[f"{m} {p}" for m, p in WRITES])
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), poison=POISON)
def test_poisoned_bodies_never_5xx_and_errors_write_nothing(armed, api, route, field, poison):
    operation = OPERATIONS[route]
    before = _snapshot()
    reply = _send(api, operation, _path(operation.path, armed), _body_for(operation, field, poison))
    assert reply.status_code < 500, (route, field, reply.status_code, reply.body[:300])
    assert len(api.calls) <= MAX_CALLS_PER_REQUEST, (route, field, len(api.calls))
    if reply.status_code >= 400:
        assert _snapshot() == before, (route, field, "an error left writes behind")


JSON_WRITES = [r for r in WRITES if OPERATIONS[r].request_media == "application/json"]


@pytest.mark.parametrize("route", JSON_WRITES, ids=[f"{m} {p}" for m, p in JSON_WRITES])
def test_deep_nesting_is_a_400_on_every_json_route(armed, api, route):
    operation = OPERATIONS[route]
    for raw in (DEEP, json.dumps(_nested(100))):
        reply = api.request(operation.method, _path(operation.path, armed), raw=raw,
                            headers={"Content-Type": "application/json"})
        assert reply.status_code in (400, 401, 413), (route, reply.status_code, reply.body[:200])


READS = sorted(k for k, op in OPERATIONS.items() if op.method == "GET")


@pytest.mark.parametrize("route", READS, ids=[f"{m} {p}" for m, p in READS])
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(param=st.sampled_from(["name", "limit", "cursor", "ani", "phone", "tag", "born", "format", "exp", "sig"]),
       value=st.one_of(st.sampled_from(EXTREME_NUMBER_TEXTS + EXTREME_DATETIMES + [LONG_MULTIBYTE]),
                       st.just(" ".join("a" * 2000)), st.just("x y z a b c d e f"),
                       st.just("eyJzIjoibGlzdCIsImsiOnt9fQ")))
def test_hostile_queries_never_5xx(armed, api, route, param, value):
    from urllib.parse import quote

    operation = OPERATIONS[route]
    path = _path(operation.path, armed) + f"?{param}={quote(value)}"
    reply = api.get(path)
    assert reply.status_code < 500, (route, param, reply.status_code, reply.body[:300])


@pytest.mark.parametrize("payload, field", [
    ({"first_name": "Ann", "score": 1e300}, "score"),
    ({"first_name": "Ann", "score": "1e-300"}, "score"),
    ({"first_name": "Ann", "score": "1" * 42}, "score"),
    ({"first_name": "Ann", "born": "0001-01-01T00:00:00+01:00"}, "born"),
    ({"first_name": "Ann", "tag": LONG_MULTIBYTE}, "tag"),
    ({"first_name": "Ann", "code": LONG_MULTIBYTE}, "code"),
    ({"first_name": "Ann", "extra": {"x": 10 ** 41}}, "extra"),
])
def test_each_unstorable_value_is_a_400_naming_its_field(armed, api, payload, field):
    before = _snapshot()
    reply = api.post("/saveContact", payload)
    assert reply.status_code == 400 and field in body(reply)["Message"], reply.body
    assert _snapshot() == before


@pytest.mark.parametrize("leg, field", [
    ({"call_duration": 1e300}, "call_duration"),
    ({"start_time": "9999-12-31T23:59:59-01:00"}, "start_time"),
    ({"extra": -1.7976931348623157e308}, "extra"),
])
def test_unstorable_legs_are_a_400_naming_the_field(armed, api, leg, field):
    reply = api.post("/interactions/updateOrSaveInteractionTree/CALL-2", {"interaction": leg, "ani": "+14155550100"})
    assert reply.status_code == 400 and field in body(reply)["Message"], reply.body


def test_nan_and_infinity_are_not_json_numbers(api):
    for raw in ('{"interaction": {"call_duration": NaN}}', '{"interaction": {"call_duration": Infinity}}'):
        reply = api.request("POST", "/interactions/updateOrSaveInteractionTree/CALL-3", raw=raw)
        assert reply.status_code == 400 and "not a JSON number" in body(reply)["Message"]


def test_a_tree_that_would_outgrow_its_item_is_a_413(armed, api):
    trail = "step>" * 2500  # ~12 KB a leg, under the leg limit
    stored = 0
    for number in range(60):
        reply = api.post("/interactions/updateOrSaveInteractionTree/BIG-1",
                         {"interaction": {"leg_id": f"leg-{number}", "ivr_trail": trail}})
        if reply.status_code == 413:
            break
        assert reply.status_code == 200, reply.body
        stored += 1
    assert reply.status_code == 413 and "call BIG-1" in body(reply)["Message"]
    assert 20 < stored < 60
    assert len(body(api.get("/interactions/BIG-1"))["interactions"]) == stored


def test_a_name_search_is_bounded(armed, api):
    many = api.get("/contacts/getContactByName/" + "%20".join("a" * 9))
    assert many.status_code == 400 and "at most" in body(many)["Message"]
    long = api.get("/contacts?name=" + "a" * 300)
    assert long.status_code == 400


def test_a_poisoned_push_stores_the_good_record_and_a_replay_answers_the_same(armed, api):
    from tests.api.test_rci_sync import record

    good = record(1)
    bad = record(2, handlingDuration=1e300)
    raw = json.dumps([good, bad])
    headers = push_headers(WEBHOOK_SECRET, raw.encode())
    first = api.request("POST", "/rci/contacts", raw=raw, headers=headers)
    assert first.status_code == 200, first.body
    outcomes = [r["outcome"] for r in body(first)["results"]]
    assert outcomes == ["stored", "rejected"] and "handlingDuration" in body(first)["results"][1]["reason"]
    again = api.request("POST", "/rci/contacts", raw=raw, headers=headers)
    assert again.status_code == 200 and [r["outcome"] for r in body(again)["results"]] == ["unchanged", "rejected"]


def test_a_poisoned_bulk_creates_the_good_contacts_only(armed, api):
    reply = api.post("/contacts/bulk", {"contacts": [{"first_name": "Bo"}, {"first_name": "Cy", "score": 1e300},
                                                     {"first_name": "Di", "code": LONG_MULTIBYTE}]})
    assert reply.status_code == 200, reply.body
    results = body(reply)["results"]
    assert [r["outcome"] for r in results] == ["created", "rejected", "rejected"]
    assert "score" in results[1]["Message"] and "code" in results[2]["Message"]


def test_schema_defaults_and_keys_the_table_cannot_take_are_refused(api):
    assert api.post("/saveSchema", {"label": "S", "key": "s", "type": "number", "default": "1e300"}).status_code == 400
    for reserved in ("id", "version", "created_at"):
        reply = api.post("/saveSchema", {"label": "X", "key": reserved, "type": "text"})
        assert reply.status_code == 400 and "set by the server" in body(reply)["Message"]


def test_key_expiry_and_search_filters_outside_the_calendar_are_400s(armed, api):
    assert api.post("/keys", {"name": "k", "role": "ivr", "expires_at": "0001-01-01T00:00:00+01:00"}).status_code == 400
    reply = api.post("/contacts/getContactsBySearchTerms", {"born": "0001-01-01T00:00:00+01:00", "phone": "1"})
    assert reply.status_code == 400


def test_a_cursor_forged_with_missing_fields_is_a_400(armed, api):
    from chalicelib.store import cursor

    forged = cursor.encode("list", {"PK": {"S": "CONTACT#X"}})  # signed, but no sort or index key
    reply = api.get(f"/getContactList?cursor={forged}")
    assert reply.status_code == 400, reply.body
