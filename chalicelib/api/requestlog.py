"""Every event begins its invocation here (``core/invocation``), and every
request leaves one structured JSON log line: request id, route template
(never the raw path: it can hold a name or a number), role, key name,
status, latency, DynamoDB calls and the capacity units they consumed. No
body, no query string, no key. The answer carries the id in
``X-Request-Id``, for a caller to quote. The same figures go to CloudWatch
as metrics (``core/metrics``)."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from chalicelib.core import invocation, metering, metrics, tracing
from chalicelib.core.settings import get_settings

log = logging.getLogger("cim.requests")


def begin_invocation(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Every Lambda function, schedule and stream: a fresh invocation, named
    by the Connect contact a flow function serves, else the Lambda request id."""
    raw = getattr(event, "event", None)
    details = raw.get("Details") if isinstance(raw, dict) else None
    contact = details.get("ContactData") if isinstance(details, dict) else None
    contact_id = contact.get("ContactId") if isinstance(contact, dict) else None
    invocation.begin(contact_id if isinstance(contact_id, str) and contact_id.isprintable() and len(contact_id) < 100
                     else getattr(getattr(event, "context", None), "aws_request_id", None))
    tracing.start()
    return get_response(event)


def log_request(event: Any, get_response: Callable[[Any], Any]) -> Any:
    started = time.perf_counter()
    context = event.context or {}
    request = invocation.begin(context.get("requestId"))
    tracing.start()
    metering.start_counting()
    response = get_response(event)
    caller = context.get("authorizer") or {}
    response.headers["X-Request-Id"] = request.request_id
    line = {
        "requestId": request.request_id,
        "method": event.method,
        "route": context.get("resourcePath"),
        "status": response.status_code,
        "role": caller.get("role"),
        "keyName": caller.get("key_name"),
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "dynamodbCalls": len(metering.counted_calls()),
    }
    units = metering.counted_units()
    line |= {"readUnits": round(units["read"], 1), "writeUnits": round(units["write"], 1)}
    log.info(line)
    metrics.request(f"{event.method} {line['route']}", response.status_code, line["ms"], line["dynamodbCalls"],
                    units, _error_code(response))
    _allow_origin(event, response)
    return response


def _error_code(response: Any) -> str | None:
    """The ``Code`` of an error answer (``{"Code", "Message"}``), for the Errors metric."""
    if response.status_code < 400:
        return None
    body = response.body
    if isinstance(body, dict):
        return str(body.get("Code")) if body.get("Code") else None
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body or "")
    if not text.startswith("{"):
        return "Page"  # an HTML page's error: the desk and the screen pop
    try:
        return str(json.loads(text).get("Code") or "") or None
    except (ValueError, AttributeError):
        return None


def _allow_origin(event: Any, response: Any) -> None:
    """CORS for the configured origins only (a simple response; preflight
    needs the API Gateway CORS settings of the stage)."""
    origin = (event.headers or {}).get("origin")
    if origin and origin.lower() in get_settings().cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Expose-Headers"] = "ETag,X-Next-Cursor,X-CIM-Outcome,Location,X-Request-Id"
