"""Amazon Connect's Lambda triggers, beside the HTTP routes and over the same
services: thin adapters from Connect's event shapes.

- ``connect_lookup``: a contact flow's "Invoke AWS Lambda function" block asks
  who is calling; the answer is ``$.External`` (``match``, ``contact_id``, ...).
- ``connect_save``: the flow saves its IVR trail and variables as a leg.
- ``connect_events``: contact events from EventBridge, each into its tree.
- ``connect_records``: contact records (CTRs) from the Kinesis stream, with
  partial batch failures, so one record never blocks the others.

The stream's name here is a placeholder: ``make package`` points the event
source at the stage's ``CIM_CONNECT_RECORDS_STREAM_ARN``.
"""
from __future__ import annotations

import time
from typing import Any

from chalice import Blueprint

from chalicelib.core import metrics
from chalicelib.core.actor import act_as

bp = Blueprint(__name__)
RECORDS_STREAM = "cim-connect-records"
CONTACT_EVENTS = {"source": ["aws.connect"], "detail-type": ["Amazon Connect Contact Event"]}


WHO = "amazon-connect"  # who the audit trail names for what these functions change


@bp.lambda_function(name="connect_lookup")
def connect_lookup(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.services.calls import connect
    act_as(WHO, "connect_lookup")
    started = time.perf_counter()
    answer = connect.flow_lookup(event)
    metrics.lookup(str(answer.get("match")), "connect", (time.perf_counter() - started) * 1000)
    return answer


@bp.lambda_function(name="connect_save")
def connect_save(event: dict[str, Any], context: Any) -> dict[str, str]:
    from chalicelib.services.calls import connect
    act_as(WHO, "connect_save")
    return connect.flow_save(event)


@bp.on_cw_event(CONTACT_EVENTS, name="connect_events")
def connect_events(event: Any) -> dict[str, str]:
    from chalicelib.services.calls import connect
    act_as(WHO, "connect_events")
    return connect.ingest_event(event.to_dict())


@bp.on_kinesis_record(stream=RECORDS_STREAM, batch_size=100, starting_position="TRIM_HORIZON",
                      name="connect_records")
def connect_records(event: Any) -> dict[str, list[dict[str, str]]]:
    from chalicelib.services.calls import connect
    act_as(WHO, "connect_records")
    # The raw records: a poison one must fail alone, not while Chalice decodes the batch.
    return connect.ingest_records(event.to_dict().get("Records") or [])
