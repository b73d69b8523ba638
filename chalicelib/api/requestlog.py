"""One structured JSON log line per request: request id, route template (never
the raw path: it can hold a name or a number), role, key name, status,
latency, DynamoDB calls and the capacity units they consumed. No body, no query string, no key."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from chalicelib.core import metering
from chalicelib.core.settings import get_settings

log = logging.getLogger("cim.requests")


def log_request(event: Any, get_response: Callable[[Any], Any]) -> Any:
    started = time.perf_counter()
    metering.start_counting()
    response = get_response(event)
    context = event.context or {}
    caller = context.get("authorizer") or {}
    line = {
        "requestId": context.get("requestId"),
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
    log.info(json.dumps(line, separators=(",", ":")))
    _allow_origin(event, response)
    return response


def _allow_origin(event: Any, response: Any) -> None:
    """CORS for the configured origins only (a simple response; preflight
    needs the API Gateway CORS settings of the stage)."""
    origin = (event.headers or {}).get("origin")
    if origin and origin.lower() in get_settings().cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Expose-Headers"] = "ETag,X-Next-Cursor,X-CIM-Outcome,Location"
