"""The documented RMI contact records, mapped to legs field by field."""
from __future__ import annotations

import pytest

from chalicelib.domain.rci_records import BadRecord, to_leg

CALL = {  # the first example of RMI GET /contacts
    "id": "E936C400B22311D38FBE0090279A922E", "queueId": "F8C2697F37D044DB929B10F75381C624",
    "queueName": "CustomerService", "origQueueId": "F8C2697F37D044DB929B10F75381C624",
    "origQueueName": "CustomerService", "applicationId": "8904FC834D01423291AEA278E226CE1B",
    "applicationName": "ContactCenter", "agentId": "E936C474B22311D38FBE0090279A922E", "agentName": "Fox, John",
    "reportingGroupId": "CB6C223C34784BD38D4430678BB901E9", "reportingGroupName": "Sales",
    "contactGroupId": "E936C499B22311D38FBE0090279A922E", "source": "0401234567", "destination": "320",
    "arrivalTime": "2016-02-01T09:22:11.000Z", "arrivalQueueTime": "2016-02-01T09:22:12.000Z",
    "connectTime": "2016-02-01T09:22:50.000Z", "disconnectTime": "2016-02-01T09:28:13.000Z",
    "wrapUpBeginTime": "2016-02-01T09:28:13.000Z", "wrapUpEndTime": "2016-02-01T09:28:23.000Z",
    "queuingDuration": 38000, "handlingDuration": 323000, "wrapUpTotalDuration": 10000,
    "wrapUpScriptingDuration": 7000, "wrapUpRestingDuration": 3000, "totalDuration": 333000,
    "serviceClosed": False, "waitingDuration": 12807, "status": "Handled_AOT", "channel": "PHONE",
    "type": "CallIn", "record": True, "answeredOnTimeThreshold": 15, "falseAttemptTimeThreshold": 10,
}
EMAIL = {  # the second example
    "id": "F82E87B84DD6E5118C58463500000031", "queueId": "6A8562F960ED4541BA75F6A6F6C94618",
    "queueName": "CustomerService Email", "origQueueName": "CustomerService Email", "agentName": "Wolf, Jane",
    "contactGroupId": "E936C499B22311D38FBE0090279A922E", "source": "XXX@acme.corp",
    "destination": "CustomerService@bcmtr.bcm.corp", "arrivalTime": "2016-02-01T10:22:11.000Z",
    "pendingTime": "2016-02-01T10:24:50.000Z", "queuingDuration": 98000, "handlingDuration": 444000,
    "status": "InProcess_Pending", "channel": "EMAIL", "type": "EMAILIN", "record": True,
    "answeredOnTimeThreshold": 150, "falseAttemptTimeThreshold": 0, "subject": "Request for support",
}
DETAILS = [
    {"id": "B887C475B22311D38FBE0090279A922E", "time": "2016-01-01T12:00:00.000Z", "event": "Queing",
     "value1": "Customer Service", "value2": ""},
    {"id": "B888C476B22311D38FBE0090279A922E", "time": "2016-01-01T12:00:50.000Z", "event": "DestAllocated",
     "value1": "Fox, John", "value2": "Customer Service"},
    {"id": "B889C477B22311D38FBE0090279A922E", "time": "2016-01-01T12:01:00.000Z", "event": "ConnectedToOper",
     "value1": "Fox, John", "value2": "Customer Service"},
    {"id": "B892C480B22311D38FBE0090279A922E", "time": "2016-01-01T12:01:00.000Z", "event": "Disconnected",
     "value1": ";0", "value2": "Customer Service"},
]


def test_the_documented_call_record_field_by_field():
    mapped = to_leg(CALL, DETAILS)
    assert mapped.call_id == "E936C499B22311D38FBE0090279A922E" and mapped.ani == "0401234567" and mapped.finished
    leg = mapped.leg
    assert leg["leg_id"] == "E936C400B22311D38FBE0090279A922E"
    assert leg["type"] == "PHONE" and leg["interaction_type"] == "CallIn"
    assert leg["agentId"] == "E936C474B22311D38FBE0090279A922E" and leg["agentName"] == "Fox, John"
    assert leg["team_name"] == "CustomerService" and leg["csq"] == "CustomerService"
    assert leg["start_time"] == "2016-02-01T09:22:11.000Z" and leg["call_duration"] == 323
    assert leg["call_disposition"] == "Handled_AOT"
    for kept in ("queuingDuration", "wrapUpTotalDuration", "record", "queueId", "totalDuration",
                 "disconnectTime", "applicationName", "serviceClosed"):
        assert leg[kept] == CALL[kept], kept
    # The caller is the call's identity, nowhere else; the other end is not stored.
    assert "source" not in leg and "destination" not in leg and "0401234567" not in str(leg)
    assert leg["source_progress"] == [4, "2016-02-01T09:28:23.000Z", 323000]
    assert leg["ivr_trail"] == ["Queing", "DestAllocated", "ConnectedToOper", "Disconnected"]
    assert leg["events"][1] == {"time": "2016-01-01T12:00:50.000Z", "event": "DestAllocated",
                                "value1": "Fox, John", "value2": "Customer Service"}


def test_the_documented_email_record():
    mapped = to_leg(EMAIL)
    assert mapped.ani == "XXX@acme.corp" and not mapped.finished
    assert mapped.leg["type"] == "EMAIL" and mapped.leg["subject"] == "Request for support"
    assert mapped.leg["call_duration"] == 444 and "ivr_trail" not in mapped.leg


@pytest.mark.parametrize("kind, expected", [("CallOut", "0401234567"), ("EMAILOUT", "0401234567"),
                                            ("CallIn", "320"), ("IVR", "320")])
def test_outbound_calls_take_the_destination(kind, expected):
    record = CALL | {"type": kind, "source": "320", "destination": "0401234567"}
    assert to_leg(record).ani == expected


@pytest.mark.parametrize("change, words", [
    ({"id": "short"}, "id: Invalid GUID"),
    ({"contactGroupId": None}, "contactGroupId"),
    ({"type": ""}, "type"),
    ({"arrivalTime": "yesterday"}, "arrivalTime"),
    ({"handlingDuration": "long"}, "handlingDuration"),
])
def test_records_that_cannot_be_stored(change, words):
    with pytest.raises(BadRecord, match=words):
        to_leg(CALL | change)


def test_unlisted_fields_and_identifiers_in_details_are_not_stored():
    record = CALL | {"customerEmail": "ann@example.com", "newField": {"ani": "+358401234567"},
                     "destination": "0401234567"}
    details = DETAILS + [{"time": "2016-01-01T12:02:00.000Z", "event": "Transferred", "value1": "+358 40 123 4567",
                          "value2": "ann@example.com"}]
    leg = to_leg(record, details).leg
    assert "customerEmail" not in leg and "newField" not in leg
    assert "4567" not in str(leg) and "example.com" not in str(leg)
    assert leg["events"][-1] == {"time": "2016-01-01T12:02:00.000Z", "event": "Transferred"}


def test_snapshots_are_ordered_by_state_then_time():
    from chalicelib.domain.rci_records import progress
    queued = CALL | {"status": "InQueue", "disconnectTime": None, "wrapUpEndTime": None, "wrapUpBeginTime": None,
                     "connectTime": None}
    talking = queued | {"status": "InProcess", "connectTime": "2016-02-01T09:22:50.000Z"}
    assert progress(queued) < progress(talking) < progress(CALL)
