"""The Connect functions never raise, whatever they are sent: wrong types,
deep nesting, huge or non-finite numbers, lone surrogates, missing fields.
Lookup and save answer a documented error; events and records are skipped
(``batchItemFailures`` only for passing faults)."""
from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

POISONS = st.sampled_from([1e300, 10 ** 60, -1, "n\ud800", "\x00", "9999-12-31T23:59:59Z", [], {}, None, True,
                           "x" * 5000, [[[[[]]]]]])
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                   st.text(max_size=20), POISONS)
JSON = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                    max_leaves=12)
CONTACT_KEYS = ("ContactId", "InitialContactId", "CustomerEndpoint", "Attributes", "Channel", "Queue",
                "InitiationMethod", "Parameters", "Agent", "InitiationTimestamp", "DisconnectTimestamp")
CONTACT = st.dictionaries(st.sampled_from(CONTACT_KEYS), JSON, max_size=6)


def deep(levels: int):
    value: object = "x"
    for _ in range(levels):
        value = [value]
    return value


FIXED = [
    {"Details": {"ContactData": {"ContactId": "c-1", "CustomerEndpoint": {"Address": "+14155550100"}},
                 "Parameters": {"x": deep(600)}}},
    {"Details": {"ContactData": {"ContactId": "c-1", "CustomerEndpoint": {"Address": "n\ud800"}},
                 "Parameters": {"a": "n\ud800"}}},
    {"Details": {"ContactData": {"ContactId": "c-2", "InitiationMethod": 1e300}}},
    {"Details": {"ContactData": {"ContactId": "c-3", "InitiationMethod": 10 ** 60}}},
    {"Details": "not an object"},
]


def flow_event(data, parameters):
    return {"Name": "ContactFlowEvent", "Details": {"ContactData": data, "Parameters": parameters}}


def bridge(detail):
    return {"version": "0", "id": "e-1", "detail-type": "Amazon Connect Contact Event", "source": "aws.connect",
            "account": "123456789012", "time": "2026-11-22T10:00:00Z", "region": "us-east-1", "resources": [],
            "detail": detail}


def kinesis(*records):
    return {"Records": [{"kinesis": {"data": base64.b64encode(r).decode(), "sequenceNumber": str(n)},
                         "eventSource": "aws:kinesis"} for n, r in enumerate(records)]}


def invoke(api, function, event):
    return api.client.lambda_.invoke(function, event).payload


def check_flow_answers(api, event):
    looked = invoke(api, "connect_lookup", event)
    assert looked["match"] in ("none", "unique", "multiple") and all(isinstance(v, str) for v in looked.values())
    saved = invoke(api, "connect_save", event)
    assert saved["saved"] in ("no", "stored", "updated", "unchanged"), saved
    assert len(json.dumps(looked)) < 32 * 1024


def test_the_known_poisons_get_answers(api):
    for event in FIXED:
        check_flow_answers(api, event)
        assert invoke(api, "connect_events", bridge(event["Details"]))["outcome"] in ("skipped", "stored")
    for detail in ({"contactId": "c-9", "initiationMethod": 1e300}, {"contactId": "c-9", "initiationMethod": 10 ** 60},
                   {"contactId": "n\ud800"}, deep(600), [1, 2]):
        assert invoke(api, "connect_events", bridge(detail))["outcome"] == "skipped"
    raw = [json.dumps({"ContactId": "c-10", "Channel": deep(600)}).encode(), b"not json", b"\xff\xfe",
           json.dumps([1, 2]).encode(), b'{"ContactId": "c-11", "InitiationMethod": ' + b"9" * 5000 + b"}"]
    assert invoke(api, "connect_records", kinesis(*raw)) == {"batchItemFailures": []}


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=CONTACT, parameters=JSON)
def test_generated_flow_events_always_get_an_answer(api, data, parameters):
    check_flow_answers(api, flow_event(data, parameters))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(detail=st.one_of(JSON, st.dictionaries(st.sampled_from(("contactId", "eventType", "initiationMethod",
                                                                 "channel", "queueInfo", "agentInfo")), JSON)))
def test_generated_contact_events_and_records_are_stored_or_skipped(api, detail):
    assert invoke(api, "connect_events", bridge(detail))["outcome"] in ("skipped", "stored", "updated", "unchanged")
    record = json.dumps(detail, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert invoke(api, "connect_records", kinesis(record)) == {"batchItemFailures": []}
