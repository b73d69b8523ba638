"""A Sinch Contact Center contact record (RMI ``/contacts``) as a leg of a CIM
interaction tree. Pure: no HTTP, no AWS.

The tree is the ``contactGroupId`` (a transfer gets a new ``id`` but keeps
the group); the leg is the ``id``. The caller is ``source`` for inbound
types and ``destination`` for outbound ones: it becomes the call's identity
(normalised, so lookup, history, access and erasure find it) and nothing
else keeps it. A record is mapped by an allowlist: a field that is not
listed (``source``, ``destination``, anything a newer platform adds) is not
stored, and a detail event's values that look like a number or an address
are dropped.

A record is a snapshot of its contact: ``progress`` orders snapshots (state,
then the latest time it carries, then the handling time), so an older one
arriving late, or replayed, never moves a stored leg backwards.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.values import parse_datetime

INBOUND = ("CallIn", "CallIn/Forwarded", "ChatIn", "EMAILIN", "VOICEMAILIN", "CBR", "IVR", "CBRIntCallIn")
OUTBOUND = ("CallOut", "CallOutOB", "CallOutTerm", "EMAILOUT", "ChatOut", "CBRCallOut")
# Statuses after which the record no longer changes.
FINISHED = ("Handled", "Handled_AOT", "NotHandled_FA", "NotHandled_Ab", "ServiceClosed",
            "WrapUp", "Abandoned", "Deleted")
# Record fields kept as they are (the rest is mapped below, or dropped).
KEPT = ("subtype", "queueId", "origQueueId", "queueLoginType", "applicationId", "applicationName",
        "reportingGroupId", "reportingGroupName", "outboundCampaignId", "outboundCampaignName",
        "arrivalQueueTime", "previewTime", "connectTime", "pendingTime", "pickTime", "disconnectTime",
        "wrapUpBeginTime", "wrapUpEndTime", "queuingDuration", "wrapUpTotalDuration", "wrapUpScriptingDuration",
        "wrapUpRestingDuration", "totalDuration", "waitingDuration", "serviceClosed", "record",
        "answeredOnTimeThreshold", "falseAttemptTimeThreshold", "subject")
TIMES = ("arrivalTime", "arrivalQueueTime", "previewTime", "connectTime", "pendingTime", "pickTime",
         "disconnectTime", "wrapUpBeginTime", "wrapUpEndTime")
STATE_ORDER = {"InQueue": 0, "InProcess_Preview": 1, "InProcess_Pending": 1, "InProcess": 2,
               "InProcess_WrapUp": 3}
_IDENTIFIER = re.compile(r"@|\d(?:[\s().-]*\d){5,}")  # an e-mail address, or six digits or more
_GUID = re.compile(r"^[0-9A-Fa-f]{32}$")


class BadRecord(ValueError):
    """A record that can never be stored as it is (the reason is the message)."""


@dataclass(frozen=True)
class MappedLeg:
    call_id: str
    ani: str | None
    leg: dict[str, Any]
    finished: bool


def _guid(record: dict[str, Any], field: str) -> str:
    value = record.get(field)
    if not isinstance(value, str) or not _GUID.match(value.strip()):
        raise BadRecord(f"{field}: Invalid GUID: {value!r}")
    return value.strip().upper()


def is_finished(record: dict[str, Any]) -> bool:
    return record.get("status") in FINISHED or bool(record.get("disconnectTime") and record.get("status") not in (
        "InQueue", "InProcess", "InProcess_Pending", "InProcess_Preview"))


def to_leg(record: dict[str, Any], details: list[dict[str, Any]] | None = None) -> MappedLeg:
    """The leg a record becomes (``BadRecord`` when it cannot)."""
    if not isinstance(record, dict):
        raise BadRecord("a record must be a JSON object")
    leg_id, group = _guid(record, "id"), _guid(record, "contactGroupId")
    kind = record.get("type")
    if not isinstance(kind, str) or not kind:
        raise BadRecord("type: required")
    arrival = record.get("arrivalTime")
    if not isinstance(arrival, str) or parse_datetime(arrival) is None:
        raise BadRecord(f"arrivalTime: {arrival!r} is not an ISO-8601 time")
    handling = record.get("handlingDuration")
    if handling is not None and (isinstance(handling, bool) or not isinstance(handling, (int, float))):
        raise BadRecord("handlingDuration: must be milliseconds")
    ani = record.get("destination") if kind in OUTBOUND else record.get("source")
    leg: dict[str, Any] = {
        "leg_id": leg_id,
        "type": record.get("channel"),
        "interaction_type": kind,
        "agentId": record.get("agentId"),
        "agentName": record.get("agentName"),
        "team_name": record.get("queueName"),
        "csq": record.get("origQueueName"),
        "start_time": arrival,
        "call_duration": round(handling / 1000, 3) if handling is not None else None,
        "call_disposition": record.get("status"),
        "source_system": "sinch-rmi",
    }
    leg |= {k: v for k, v in record.items() if k in KEPT and v is not None and not isinstance(v, (dict, list))}
    leg["source_progress"] = progress(record)
    if details:
        events = sorted((d for d in details if isinstance(d, dict)), key=lambda d: str(d.get("time", "")))
        leg["events"] = [{k: e.get(k) for k in ("time", "event", "value1", "value2")
                          if e.get(k) is not None and not (k.startswith("value") and holds_identifier(e.get(k)))}
                         for e in events]
        leg["ivr_trail"] = [e["event"] for e in events if e.get("event")]
    leg = {k: v for k, v in leg.items() if v is not None}
    return MappedLeg(call_id=group, ani=ani.strip() if isinstance(ani, str) and ani.strip() else None,
                     leg=leg, finished=is_finished(record))


def holds_identifier(value: Any) -> bool:
    """Whether a free value looks like a phone number or an e-mail address."""
    return isinstance(value, str) and _IDENTIFIER.search(value) is not None


def progress(record: dict[str, Any]) -> list[Any]:
    """How far a snapshot of a contact had got: [state rank, latest time, handling ms]."""
    status = record.get("status")
    rank = 4 if status in FINISHED else STATE_ORDER.get(status, 0)
    times = [t for t in (record.get(k) for k in TIMES) if isinstance(t, str) and parse_datetime(t) is not None]
    handling = record.get("handlingDuration")
    return [rank, max(times, default=""), handling if isinstance(handling, int) and not isinstance(handling, bool)
            else 0]
