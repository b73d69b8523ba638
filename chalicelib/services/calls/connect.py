"""Amazon Connect, natively: the contact flow asks who is calling and saves
its IVR trail; contact events and contact records land in the caller's tree.

The flow functions answer within Connect's 8 seconds with the same DynamoDB
calls as the HTTP lookup, never raise (a failed Lambda block sends the call
down the flow's error branch), and answer flat string values, which pass
both of the block's response validations (``STRING_MAP`` and ``JSON``).
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

from pydantic import ValidationError

from chalicelib.core import invocation
from chalicelib.core.errors import DomainError, Invalid, Unavailable
from chalicelib.domain import limits
from chalicelib.domain.connect_records import (
    BadConnectRecord,
    ConnectLeg,
    event_to_leg,
    flow_question,
    pick,
    record_to_leg,
    text,
)
from chalicelib.models.interaction import LegFields, SaveLegRequest
from chalicelib.models.lookup import LookupAnswer, LookupRequest
from chalicelib.services.calls import interactions
from chalicelib.services.contacts import lookup

log = logging.getLogger("cim")

FLOW_IDS_MAX = 10  # whole candidate ids a flow answer lists; past it, more=true
FLOW_ANSWER_MAX_BYTES = 32 * 1024  # Connect's limit on a Lambda block's answer
FLOW_ONLY = ("format",)  # parameters for this function, not call variables


def _asked(ani: str | None, variables: dict[str, str]) -> LookupRequest:
    """The lookup a flow asks for, keeping only what a lookup may take (a
    flow cannot be told its attribute was too long: the rest still counts)."""
    kept = {k: v for k, v in variables.items()
            if k not in FLOW_ONLY and 0 < len(k) <= 64 and len(v) <= 256}
    kept = dict(list(kept.items())[:50])
    if ani is not None and len(ani) > 64:
        ani = None
    return LookupRequest(ani=ani, callVariables=kept)


def checked_event(event: Any) -> dict[str, Any]:
    """The event, if it is one a function can read: a JSON object of bounded
    depth, storable numbers and valid text (``Invalid`` naming what is not)."""
    if not isinstance(event, dict):
        raise Invalid(f"event: must be a JSON object, not {type(event).__name__}")
    limits.check_json(event, "event")
    return event


def flow_lookup(event: Any) -> dict[str, Any]:
    """``connect_lookup``: who is calling, as the flow's ``$.External``. Never
    raises for what it is sent: an event it cannot read answers ``match=none``
    with ``error`` saying why (only an unreachable table raises, so Connect
    retries and the flow takes its error branch)."""
    try:
        question = flow_question(checked_event(event))
        asked = _asked(question.ani, question.variables)
        if question.parameters.get("format") == "json":  # the candidates too: the whole contacts are read
            whole = lookup.lookup(asked.ani, asked.callVariables)
            return _with_contacts(flow_answer(lookup.Brief.of(whole)), whole)
        answer = lookup.brief(asked.ani, asked.callVariables)
    except Unavailable:
        raise  # Connect retries a failed invocation; an honest "none" would be wrong here
    except (DomainError, ValidationError) as error:
        return flow_answer(lookup.NONE) | {"error": _reason(error)}
    except Exception as error:  # noqa: BLE001 - a flow must get an answer whatever it sent
        log.warning("connect_lookup could not read its event: %s", type(error).__name__)
        return flow_answer(lookup.NONE) | {"error": "the event could not be read"}
    return flow_answer(answer)


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return str(error.errors(include_url=False)[0]["msg"])[:200]
    return getattr(error, "message", type(error).__name__)[:200]


def _with_contacts(flat: dict[str, Any], answer: LookupAnswer) -> dict[str, Any]:
    """The JSON answer's candidates, capped like the flat one: long values and
    then whole candidates are dropped (and named) until it fits."""
    contacts = [{k: text(v) for k, v in c.model_dump().items() if not isinstance(v, (dict, list))}
                for c in answer.contacts[:FLOW_IDS_MAX]]
    dropped: list[str] = []
    while contacts and len(json.dumps(flat | {"contacts": contacts})) > FLOW_ANSWER_MAX_BYTES // 2:
        longest = max(((i, k) for i, c in enumerate(contacts) for k in c if k != "id"),
                      key=lambda ik: len(contacts[ik[0]][ik[1]]), default=None)
        if longest is None or len(contacts[longest[0]][longest[1]]) <= 64:
            dropped.append(f"contact:{contacts.pop()['id']}")
            continue
        contacts[longest[0]][longest[1]] = ""
        dropped.append(f"{contacts[longest[0]]['id']}.{longest[1]}")
    answer_ = flat | {"contacts": contacts}
    if dropped:
        answer_["dropped_contacts"] = ",".join(dropped)[:2000]
    return answer_


def flow_answer(answer: lookup.Brief) -> dict[str, str]:
    """The lookup summary as Connect's ``STRING_MAP``: whole ids only, under 32 KB."""
    summary = lookup.summary(answer)
    ids = answer.ids
    summary["contact_ids"] = ",".join(ids[:FLOW_IDS_MAX])
    summary["more"] = "true" if answer.more or len(ids) > FLOW_IDS_MAX else "false"
    dropped = []
    while len(json.dumps(summary)) > FLOW_ANSWER_MAX_BYTES // 2:  # room for Connect's own envelope
        longest = max((k for k in summary if k not in lookup.SUMMARY_KEYS), key=lambda k: len(summary[k]))
        summary[longest] = ""
        dropped.append(longest)
    if dropped:
        summary["dropped"] = ",".join(dropped)
    return summary


def flow_save(event: Any) -> dict[str, str]:
    """``connect_save``: the flow's IVR trail and variables as a leg of the call's tree."""
    try:
        question = flow_question(checked_event(event))
    except DomainError as error:
        return {"saved": "no", "reason": error.message}
    except Exception as error:  # noqa: BLE001 - a flow must get an answer whatever it sent
        log.warning("connect_save could not read its event: %s", type(error).__name__)
        return {"saved": "no", "reason": "the event could not be read"}
    if question.call_id is None or question.contact_id is None:
        return {"saved": "no", "reason": "the event names no contact"}
    leg = {k: v for k, v in question.parameters.items() if k not in FLOW_ONLY}
    leg |= {"leg_id": f"{question.contact_id}:flow"[:128], "interaction_type": "IVR", "source": "amazon-connect",
            "type": question.channel, "csq": question.queue}
    try:
        limits.check_json(leg, "parameters")
        request = SaveLegRequest(interaction=LegFields.model_validate({k: v for k, v in leg.items() if v}),
                                 call_Id=question.call_id, ani=question.ani)
        _, outcome = interactions.save_leg(question.call_id, request)
    except ValidationError as error:
        return {"saved": "no", "reason": _reason(error)}
    except Unavailable:
        raise  # Connect retries; the save is idempotent
    except DomainError as error:
        return {"saved": "no", "reason": error.message}
    return {"saved": outcome, "call_Id": question.call_id}


def _store(mapped: ConnectLeg) -> str:
    request = SaveLegRequest(interaction=LegFields.model_validate(mapped.leg), call_Id=mapped.call_id, ani=mapped.ani)
    _, outcome = interactions.save_leg(mapped.call_id, request)
    return outcome


def ingest_event(event: dict[str, Any]) -> dict[str, str]:
    """``connect_events``: one EventBridge contact event. A malformed one is
    logged and skipped (EventBridge would only retry it)."""
    try:
        return {"outcome": _store(event_to_leg(checked_event(event).get("detail")))}
    except Unavailable:
        raise  # EventBridge retries the delivery
    except (BadConnectRecord, ValidationError, DomainError) as error:
        log.warning("connect event skipped: %s", type(error).__name__)
        return {"outcome": "skipped", "reason": _reason(error)}
    except Exception as error:  # noqa: BLE001 - a poison event is skipped, never retried forever
        log.warning("connect event skipped: %s", type(error).__name__)
        return {"outcome": "skipped", "reason": "the event could not be read"}


def ingest_records(records: list[Any]) -> dict[str, list[dict[str, str]]]:
    """``connect_records``: a Kinesis batch of contact records, each stored
    alone. A poison record (not a contact record) is logged and skipped; a
    record that failed for a passing fault is reported in
    ``batchItemFailures``, so Lambda retries from it (and replays of the
    records before it change nothing)."""
    failures = []
    for raw in records:
        with invocation.handling(raw.get("eventID") if isinstance(raw, dict) else None):
            sequence = str(pick(raw, "kinesis", "sequenceNumber") or "")[:128]
            if limits.text_problem(sequence, strict=True):
                sequence = "(unreadable)"
            try:
                data = pick(raw, "kinesis", "data")
                if not isinstance(data, str):
                    raise BadConnectRecord("kinesis.data: the record's base64 text is missing")
                record = json.loads(base64.b64decode(data, validate=True), parse_int=limits.json_int)
                limits.check_json(record, "record")
                _store(record_to_leg(record))
            except (BadConnectRecord, ValidationError, ValueError, UnicodeDecodeError, binascii.Error) as error:
                log.warning("contact record %s skipped: %s", sequence, type(error).__name__)
            except Unavailable:
                failures.append({"itemIdentifier": sequence})
                break  # Lambda retries from here; the records after it come again
            except DomainError as error:
                log.warning("contact record %s skipped: %s", sequence, error.code)
            except Exception as error:  # noqa: BLE001 - a poison record is skipped: a retry would fail the same way
                log.warning("contact record %s skipped: %s", sequence, type(error).__name__)
    return {"batchItemFailures": failures}

