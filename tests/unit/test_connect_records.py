"""Connect's documented shapes -> legs, field by field (no AWS)."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from chalicelib.domain.connect_records import (
    BadConnectRecord,
    event_to_leg,
    flow_question,
    queue_name,
    record_to_leg,
)

EVENTS = Path(__file__).resolve().parents[2] / "events" / "connect"
FIRST = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"


def sample(name: str):
    return json.loads((EVENTS / name).read_text())


def test_a_voice_record_with_a_transfer_maps_every_field():
    mapped = record_to_leg(sample("contact-records.json")[0])
    assert mapped.call_id == FIRST and mapped.ani == "+14155550100"
    leg = mapped.leg
    assert leg["leg_id"] == FIRST and leg["type"] == "voice" and leg["initiation_method"] == "INBOUND"
    assert leg["start_time"] == "2026-11-22T10:00:00.000Z" and leg["end_time"] == "2026-11-22T10:06:20.000Z"
    assert leg["call_duration"] == 380
    assert leg["csq"] == "BasicQueue" and leg["enqueued_at"] == "2026-11-22T10:00:40.000Z"
    assert leg["dequeued_at"] == "2026-11-22T10:01:05.000Z"
    assert leg["agentId"] == "jdoe" and leg["team_name"] == "Basic Routing Profile"
    assert leg["connected_to_agent_at"] == "2026-11-22T10:01:05.000Z" and leg["interaction_type"] == "agent"
    assert leg["call_disposition"] == "AGENT_DISCONNECT"
    assert leg["transferred_to_type"] == "TELEPHONE_NUMBER"
    assert leg["transfer_completed_at"] == "2026-11-22T10:06:20.000Z"
    # Allowlisted: the transfer target's number and the flow's attributes are not stored.
    assert "+14155550111" not in str(leg) and "AC-1001" not in str(leg)
    assert "transferred_to" not in leg and "attributes" not in leg
    assert leg["recordings"] == ["connect-recordings/2026/11/22/5ca32fbd_20261122T10:00_UTC.wav"]
    assert leg["source"] == "amazon-connect"


def test_the_transferred_and_callback_contacts_join_the_first_contacts_tree():
    records = sample("contact-records.json")
    transfer, callback = record_to_leg(records[1]), record_to_leg(records[4])
    assert transfer.call_id == callback.call_id == FIRST
    assert transfer.leg["initiation_method"] == "TRANSFER" and transfer.leg["previous_contact_id"] == FIRST
    assert transfer.leg["csq"] == "Billing" and transfer.leg["agentId"] == "asmith"
    assert callback.leg["initiation_method"] == "CALLBACK" and callback.ani == "+14155550100"


def test_chat_and_task_records_have_no_caller_number():
    records = sample("contact-records.json")
    chat, task = record_to_leg(records[2]), record_to_leg(records[3])
    assert chat.ani is None and chat.leg["type"] == "chat" and chat.leg["agentId"] == "jdoe"
    assert task.ani is None and task.leg["type"] == "task" and task.leg["interaction_type"] == "system"
    assert "csq" not in task.leg and task.leg["call_disposition"] == "EXPIRED"


def test_events_and_the_record_of_a_contact_agree_on_the_fields_they_share():
    record = record_to_leg(sample("contact-records.json")[0]).leg
    for name in ("contact-event-connected.json", "contact-event-disconnected.json"):
        event = event_to_leg(sample(name)["detail"])
        assert event.call_id == FIRST
        shared = set(event.leg) & set(record)
        assert {k: event.leg[k] for k in shared} == {k: record[k] for k in shared}, name


def test_event_keys_are_read_whatever_their_casing():
    disconnected = event_to_leg(sample("contact-event-disconnected.json")["detail"]).leg  # "AgentInfo"/"AgentArn"
    assert disconnected["agent_arn"].endswith("/agent/b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e")
    assert disconnected["state"] == "ended" and disconnected["call_duration"] == 380


@pytest.mark.parametrize("bad", [None, [], {}, {"ContactId": ""}, {"contactId": 7}])
def test_a_record_without_a_contact_id_is_refused(bad):
    with pytest.raises(BadConnectRecord):
        record_to_leg(bad)


def test_the_flow_question_takes_the_caller_and_every_variable_source():
    asked = flow_question(sample("flow-lookup.json"))
    assert asked.ani == "+14155550100" and asked.call_id == FIRST
    assert asked.variables == {"callVariable3": "AC-1001", "ivr_trail": "main>billing"}
    assert asked.queue == "BasicQueue" and asked.channel == "voice"


@pytest.mark.parametrize("event", [
    {}, None, {"Details": None}, {"Details": {"ContactData": {"CustomerEndpoint": None}}},
    {"Details": {"ContactData": {"CustomerEndpoint": {"Address": "anonymous"}}, "Parameters": {"n": 3}}},
])
def test_partial_flow_events_ask_what_they_can(event):
    asked = flow_question(event)
    assert asked.ani is None and all(isinstance(v, str) for v in asked.variables.values())


def test_queue_is_a_string_in_older_samples_and_an_object_in_newer_ones():
    assert queue_name({"Queue": "BasicQueue"}) == queue_name({"Queue": {"Name": "BasicQueue", "ARN": "x"}})
    assert queue_name({"Queue": None}) is None


def test_the_kinesis_sample_carries_the_contact_records():
    records = sample("contact-records.json")
    kinesis = sample("kinesis-records.json")["Records"]
    assert [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in kinesis] == records
