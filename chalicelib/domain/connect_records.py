"""Amazon Connect's shapes -> what the service understands. Pure functions.

Three shapes arrive, as AWS documents them:

- the contact flow's ``ContactFlowEvent`` (the "Invoke AWS Lambda function"
  block): ``Details.ContactData`` (``ContactId``, ``InitialContactId``,
  ``CustomerEndpoint.Address``, ``Attributes``, ``Queue``, ...) and
  ``Details.Parameters``;
- a contact event on EventBridge (``detail-type`` "Amazon Connect Contact
  Event"): ``detail.eventType`` (INITIATED, QUEUED, CONNECTED_TO_AGENT,
  DISCONNECTED, COMPLETED, ...), ``contactId``, ``initialContactId``,
  ``queueInfo``, ``agentInfo``, timestamps;
- a contact record (CTR) on a Kinesis stream: ``ContactId``,
  ``InitialContactId``, ``Channel``, ``InitiationMethod``, ``Queue``,
  ``Agent``, ``CustomerEndpoint``, timestamps, ``DisconnectReason``,
  ``TransferredToEndpoint``, ``Attributes``, ``Recordings``.

Every Connect contact is one leg (``leg_id`` = its ContactId) of one tree
(``call_Id`` = the InitialContactId: a transfer or callback joins the first
contact's tree). Events and the record of a contact write the same fields
under the same names, so a record arriving after its events, or an event
replayed, changes nothing twice. Connect's key casing varies between samples
(``agentInfo`` / ``AgentInfo``): keys are read case-insensitively.

Mapped by allowlist: the customer's endpoint becomes the call's identity and
nothing else keeps it; the transfer target's address and the contact's
attributes (a flow may put anything there) are not stored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core.clock import iso
from chalicelib.domain.values import as_text as text
from chalicelib.domain.values import parse_datetime

LEG_SOURCE = "amazon-connect"
_ANONYMOUS = {"anonymous", "restricted", "unknown", "unavailable", "private"}
_CALL_ID = re.compile(r"[^A-Za-z0-9._:@-]")


class BadConnectRecord(ValueError):
    """The record cannot be read as a Connect contact (reported, then skipped)."""


@dataclass
class ConnectLeg:
    call_id: str
    ani: str | None
    leg: dict[str, Any] = field(default_factory=dict)


def pick(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]...`` with keys matched case-insensitively; None if absent."""
    for key in path:
        if not isinstance(data, dict):
            return None
        if key in data:
            data = data[key]
            continue
        lowered = key.lower()
        data = next((v for k, v in data.items() if isinstance(k, str) and k.lower() == lowered), None)
    return data


def customer_address(contact: Any) -> str | None:
    """The caller's number (or e-mail address): None when the contact has
    none (chat, task) or the number is withheld."""
    address = pick(contact, "CustomerEndpoint", "Address")
    if not isinstance(address, str) or not address.strip() or address.strip().lower() in _ANONYMOUS:
        return None
    return address.strip()


def queue_name(contact: Any) -> str | None:
    """``Queue`` is a string in older samples and ``{"Name", "ARN"}`` in newer ones."""
    queue = pick(contact, "Queue")
    if isinstance(queue, str):
        return queue or None
    name = pick(queue, "Name")
    return name if isinstance(name, str) and name else None


def tree_id(contact: Any) -> str:
    """The tree a Connect contact belongs to: its initial contact's."""
    for key in ("InitialContactId", "ContactId"):
        value = pick(contact, key)
        if isinstance(value, str) and value.strip():
            return _CALL_ID.sub("-", value.strip())[:128]
    raise BadConnectRecord("no ContactId")


def _moment(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    moment = parse_datetime(value)
    return iso(moment) if moment else None


def _last_part(arn: Any) -> str | None:
    return arn.rsplit("/", 1)[-1] if isinstance(arn, str) and arn else None


def _duration(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    seconds = (parse_datetime(end) - parse_datetime(start)).total_seconds()
    return max(0, round(seconds))


def _common(contact: dict[str, Any]) -> dict[str, Any]:
    contact_id = pick(contact, "ContactId")
    if not isinstance(contact_id, str) or not contact_id.strip():
        raise BadConnectRecord("no ContactId")
    channel = pick(contact, "Channel")
    leg = {
        "leg_id": contact_id.strip()[:128],
        "source": LEG_SOURCE,
        "type": channel.lower() if isinstance(channel, str) else None,
        "initiation_method": pick(contact, "InitiationMethod"),
        "connect_contact_id": contact_id.strip(),
        "previous_contact_id": pick(contact, "PreviousContactId"),
    }
    return {k: v for k, v in leg.items() if v not in (None, "")}


def _contact_leg(contact: dict[str, Any], leg: dict[str, Any]) -> ConnectLeg:
    return ConnectLeg(call_id=tree_id(contact), ani=customer_address(contact),
                      leg={k: v for k, v in leg.items() if v not in (None, "", [], {})})


def record_to_leg(record: Any) -> ConnectLeg:
    """A contact trace record (CTR) as the leg of its contact."""
    if not isinstance(record, dict):
        raise BadConnectRecord("a contact record is a JSON object")
    leg = _common(record)
    started = _moment(pick(record, "InitiationTimestamp"))
    ended = _moment(pick(record, "DisconnectTimestamp"))
    agent = pick(record, "Agent")
    recordings = pick(record, "Recordings") or ([pick(record, "Recording")] if pick(record, "Recording") else [])
    leg |= {
        "start_time": started,
        "end_time": ended,
        "call_duration": _duration(started, ended),
        "interaction_type": "agent" if isinstance(agent, dict) and agent else "system",
        "csq": queue_name(record),
        "queue_arn": pick(record, "Queue", "ARN"),
        "enqueued_at": _moment(pick(record, "Queue", "EnqueueTimestamp")),
        "dequeued_at": _moment(pick(record, "Queue", "DequeueTimestamp")),
        "agentId": pick(agent, "Username") or _last_part(pick(agent, "ARN")),
        "agent_arn": pick(agent, "ARN"),
        "connected_to_agent_at": _moment(pick(agent, "ConnectedToAgentTimestamp")),
        "team_name": pick(agent, "RoutingProfile", "Name"),
        "call_disposition": pick(record, "DisconnectReason"),
        # The transfer target's address may be a third party's number: only its kind is kept.
        "transferred_to_type": pick(record, "TransferredToEndpoint", "Type") if isinstance(
            pick(record, "TransferredToEndpoint", "Type"), str) else None,
        "transfer_completed_at": _moment(pick(record, "TransferCompletedTimestamp")),
        "recordings": [r.get("Location") for r in recordings if isinstance(r, dict) and r.get("Location")],
    }
    return _contact_leg(record, leg)


def event_to_leg(detail: Any) -> ConnectLeg:
    """A contact event's ``detail`` as what it tells of its contact's leg."""
    if not isinstance(detail, dict):
        raise BadConnectRecord("a contact event's detail is a JSON object")
    leg = _common(detail)
    kind = pick(detail, "eventType")
    started = _moment(pick(detail, "initiationTimestamp"))
    ended = _moment(pick(detail, "disconnectTimestamp"))
    leg |= {
        "start_time": started,
        "end_time": ended,
        "call_duration": _duration(started, ended),
        "queue_arn": pick(detail, "queueInfo", "queueArn"),
        "enqueued_at": _moment(pick(detail, "queueInfo", "enqueueTimestamp")),
        # The agent's ARN only: ``agentId`` is the username, which only the record carries.
        "agent_arn": pick(detail, "agentInfo", "agentArn"),
        "connected_to_agent_at": _moment(pick(detail, "agentInfo", "connectedToAgentTimestamp")),
        "call_disposition": pick(detail, "disconnectReason"),
    }
    if pick(detail, "agentInfo"):
        leg["interaction_type"] = "agent"
    if kind in ("DISCONNECTED", "COMPLETED"):
        leg["state"] = "ended"
    return _contact_leg(detail, leg)


@dataclass
class FlowQuestion:
    ani: str | None
    variables: dict[str, str]
    parameters: dict[str, str]
    call_id: str | None
    contact_id: str | None
    queue: str | None
    channel: str | None


def flow_question(event: Any) -> FlowQuestion:
    """What a contact flow asks: the caller, and the call variables from the
    contact's attributes, the invocation attributes and the block's
    parameters (later ones win). Never raises: a partial event asks less."""
    contact = pick(event, "Details", "ContactData")
    parameters = pick(event, "Details", "Parameters")
    variables: dict[str, str] = {}
    for source in (pick(contact, "Attributes"), pick(contact, "LambdaInvocationAttributes"), parameters):
        if isinstance(source, dict):
            variables |= {str(k): text(v) for k, v in source.items() if isinstance(k, str) and v is not None}
    try:
        call_id = tree_id(contact)
    except BadConnectRecord:
        call_id = None
    contact_id = pick(contact, "ContactId")
    channel = pick(contact, "Channel")
    return FlowQuestion(
        ani=customer_address(contact), variables=variables,
        parameters={str(k): text(v) for k, v in parameters.items()} if isinstance(parameters, dict) else {},
        call_id=call_id, contact_id=contact_id if isinstance(contact_id, str) and contact_id else None,
        queue=queue_name(contact), channel=channel.lower() if isinstance(channel, str) else None,
    )
