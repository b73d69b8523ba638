"""Amazon Connect's functions, invoked as Lambda invokes them (Chalice's test
client), with Connect's documented event shapes, over moto."""
from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import pytest

from chalicelib.store import aws
from tests.api.conftest import add_attributes, body

EVENTS = Path(__file__).resolve().parents[2] / "events" / "connect"
FIRST = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"


def sample(name: str):
    return json.loads((EVENTS / name).read_text())


def invoke(api, function: str, event) -> dict:
    aws.start_counting()
    reply = api.client.lambda_.invoke(function, event)
    api.calls = aws.counted_calls()
    return reply.payload


@pytest.fixture
def ann(api):
    add_attributes(api, account_no={"type": "text", "searchable": True})
    api.post("/mapping", {"key": "account_no", "varNumber": 3})
    return body(api.post("/saveContact", {"first_name": "Ann", "last_name": "Lee", "phone1": "+1 415 555 0100",
                                          "email": "ann.lee@example.com", "account_no": "AC-1001"}))


def test_the_flow_lookup_answers_flat_strings_the_flow_can_branch_on(api, ann):
    answer = invoke(api, "connect_lookup", sample("flow-lookup.json"))
    assert answer["match"] == "unique" and answer["contact_id"] == ann["id"] and answer["count"] == "1"
    assert answer["first_name"] == "Ann" and answer["account_no"] == "AC-1001"
    assert answer["matched_by"] == "rule:callVariable3" and answer["more"] == "false"
    assert all(isinstance(v, str) for v in answer.values())  # passes STRING_MAP validation
    assert len(json.dumps(answer).encode()) < 32 * 1024


def test_the_flow_lookup_costs_what_the_http_flat_lookup_costs_one_query(api, ann):
    asked = {"ani": "+14155550100", "callVariables": {"callVariable3": "AC-1001"}}
    for _ in range(2):  # the second is steady state: schema and rules cached, as in a warm container
        flat = api.post("/contacts/lookup?format=ivr", asked)
    http_calls = list(api.calls)
    answer = invoke(api, "connect_lookup", sample("flow-lookup.json"))
    assert api.calls == http_calls == ["Query"]  # the entry's card answers: no second read
    assert f"contact_id={ann['id']}" in flat.body.decode() and answer["contact_id"] == ann["id"]
    api.post("/contacts/lookup", asked)
    assert api.calls == ["Query", "BatchGetItem"]  # the JSON answer is the whole contact


def test_several_candidates_are_listed_whole_and_more_says_when_some_are_left_out(api):
    made = [body(api.post("/saveContact", {"first_name": f"Shared{i}", "phone1": "415-555-0177"}))["id"]
            for i in range(12)]
    event = sample("flow-lookup.json")
    event["Details"]["ContactData"]["Attributes"] = {}
    event["Details"]["ContactData"]["CustomerEndpoint"]["Address"] = "+14155550177"
    answer = invoke(api, "connect_lookup", event)
    ids = answer["contact_ids"].split(",")
    assert answer["match"] == "multiple" and len(ids) == 10 and set(ids) <= set(made)
    assert all(len(i) == 32 for i in ids) and answer["more"] == "true" and answer["contact_id"] == ""


def test_json_format_adds_the_nested_contacts(api, ann):
    event = sample("flow-lookup.json")
    event["Details"]["Parameters"]["format"] = "json"
    answer = invoke(api, "connect_lookup", event)
    assert answer["contacts"][0]["id"] == ann["id"] and answer["contacts"][0]["last_name"] == "Lee"
    assert "format" not in json.dumps(answer["contacts"])


@pytest.mark.parametrize("event", [
    {}, {"Details": {}}, {"Details": {"ContactData": {"CustomerEndpoint": None}}},
    {"Details": {"ContactData": {"CustomerEndpoint": {"Address": "anonymous", "Type": "TELEPHONE_NUMBER"}}}},
    {"Details": {"ContactData": {"Channel": "CHAT", "Queue": "BasicQueue"}, "Parameters": {"x": "y" * 5000}}},
    {"Details": {"ContactData": {"CustomerEndpoint": {"Address": "+1" + "9" * 300}}}},
])
def test_partial_or_odd_events_answer_none_and_never_raise(api, event):
    answer = invoke(api, "connect_lookup", event)
    assert answer["match"] == "none" and answer["contact_id"] == "" and answer["contact_ids"] == ""


def test_a_chat_finds_the_customer_by_a_mapped_attribute(api, ann):
    api.post("/mapping", {"key": "email", "callVariable": "customerEmail", "varNumber": 9})
    answer = invoke(api, "connect_lookup", sample("flow-lookup-chat.json"))
    assert answer["match"] == "unique" and answer["contacts"][0]["email"] == "ann.lee@example.com"


def test_the_flow_saves_its_trail_once(api, ann):
    first = invoke(api, "connect_save", sample("flow-save.json"))
    again = invoke(api, "connect_save", sample("flow-save.json"))
    assert first == {"saved": "stored", "call_Id": FIRST} and again["saved"] == "unchanged"
    tree = body(api.get(f"/interactions/{FIRST}"))
    leg = tree["interactions"][0]
    assert leg["ivr_trail"] == "main>billing>agent" and leg["menu_choice"] == "2" and leg["csq"] == "BasicQueue"
    assert leg["interaction_type"] == "IVR" and tree["phone_number"] == "+14155550100"
    history = body(api.get(f"/interactions/loadInteractions/{ann['id']}"))
    assert [t["call_Id"] for t in history] == [FIRST]


def _kinesis(records):
    event = sample("kinesis-records.json")
    event["Records"] = records
    return event


def test_contact_records_land_in_the_callers_tree_with_queue_agent_and_transfer(api, ann):
    result = invoke(api, "connect_records", sample("kinesis-records.json"))
    assert result == {"batchItemFailures": []}
    tree = body(api.get(f"/interactions/{FIRST}"))
    legs = {leg["leg_id"]: leg for leg in tree["interactions"]}
    assert len(legs) == 3  # the first contact, its transfer, the callback
    first = legs[FIRST]
    assert first["csq"] == "BasicQueue" and first["agentId"] == "jdoe" and first["transferred_to_type"] == "TELEPHONE_NUMBER"
    assert {leg["initiation_method"] for leg in legs.values()} == {"INBOUND", "TRANSFER", "CALLBACK"}
    history = body(api.get(f"/interactions/loadInteractions/{ann['id']}"))
    assert FIRST in [t["call_Id"] for t in history]


def test_replays_out_of_order_events_and_a_late_record_change_nothing_twice(api, ann):
    invoke(api, "connect_events", sample("contact-event-disconnected.json"))
    invoke(api, "connect_events", sample("contact-event-connected.json"))  # arrives late
    records = sample("kinesis-records.json")["Records"]
    invoke(api, "connect_records", _kinesis(records[:1]))
    settled = body(api.get(f"/interactions/{FIRST}"))
    for replay in (sample("contact-event-connected.json"), sample("contact-event-disconnected.json")):
        assert invoke(api, "connect_events", replay)["outcome"] == "unchanged"
    invoke(api, "connect_records", _kinesis(records[:1]))
    again = body(api.get(f"/interactions/{FIRST}"))
    assert again["version"] == settled["version"] and again["interactions"] == settled["interactions"]
    leg = again["interactions"][0]
    assert leg["call_disposition"] == "AGENT_DISCONNECT" and leg["agentId"] == "jdoe"


def test_a_poison_record_is_skipped_and_a_failing_one_reported_alone(api, ann, monkeypatch):
    records = sample("kinesis-records.json")["Records"]
    poison = copy.deepcopy(records[0])
    poison["kinesis"]["data"] = base64.b64encode(b"not json at all").decode()
    not_base64 = copy.deepcopy(records[0])
    not_base64["kinesis"]["data"] = "%%%"
    no_id = copy.deepcopy(records[0])
    no_id["kinesis"]["data"] = base64.b64encode(json.dumps({"Channel": "VOICE"}).encode()).decode()
    huge = copy.deepcopy(records[0])
    huge["kinesis"]["data"] = base64.b64encode(json.dumps({"ContactId": "x", "n": 1e300}).encode()).decode()
    result = invoke(api, "connect_records", _kinesis([poison, not_base64, no_id, huge, records[2]]))
    assert result == {"batchItemFailures": []}
    chat = body(api.get("/interactions/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"))
    assert chat["interactions"][0]["type"] == "chat"

    from chalicelib.core.errors import Unavailable
    from chalicelib.services.calls import interactions

    real = interactions.save_leg

    def throttled(call_id, request):
        if call_id == "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d":
            raise Unavailable("the table is not reachable; try again")
        return real(call_id, request)

    monkeypatch.setattr(interactions, "save_leg", throttled)
    result = invoke(api, "connect_records", _kinesis(records[2:5]))
    assert result == {"batchItemFailures": [{"itemIdentifier": records[3]["kinesis"]["sequenceNumber"]}]}


def test_the_flow_can_branch_on_a_callers_consents(api, ann):
    api.put(f"/contacts/{ann['id']}/consents/recording", {"granted": False, "source": "agent"})
    answer = invoke(api, "connect_lookup", sample("flow-lookup.json"))
    assert answer["consent_recording"] == "no"
