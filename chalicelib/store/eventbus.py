"""The outbound events on EventBridge: ``PutEvents`` to the bus
``CIM_EVENT_BUS``, at most 10 entries a call; entries the bus refused are
sent again one by one, and a refusal that stays is ``Unavailable`` (the
stream hands the batch again; consumers dedupe on the event id)."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.core.errors import Unavailable
from chalicelib.store import aws

SOURCE = "cim"
MAX_ENTRIES = 10


def publish(bus: str, events: list[dict[str, Any]]) -> int:
    """Send ``events`` (their ``type`` as detail-type); how many were sent."""
    entries = [{"Source": SOURCE, "DetailType": e["type"], "EventBusName": bus,
                "Detail": json.dumps(e, separators=(",", ":"))} for e in events]
    for start in range(0, len(entries), MAX_ENTRIES):
        chunk = entries[start:start + MAX_ENTRIES]
        reply = aws.client("events").put_events(Entries=chunk)
        if reply.get("FailedEntryCount"):
            refused = [entry for entry, result in zip(chunk, reply["Entries"], strict=True) if result.get("ErrorCode")]
            for entry in refused:
                again = aws.client("events").put_events(Entries=[entry])
                if again.get("FailedEntryCount"):
                    code = again["Entries"][0].get("ErrorCode")
                    raise Unavailable(f"EventBridge refused an event ({code}); the stream will hand it again")
    return len(entries)
