"""The IVR lookup: ``POST /contacts/lookup`` and ``GET /contacts/lookup``.

JSON by default; ``?format=ivr`` or ``Accept: text/plain`` gives flat
``key=value`` lines for IVR scripts.
"""
from __future__ import annotations

import time

from chalice import Response

from chalicelib.api.http import query, to_response
from chalicelib.api.routing import Area
from chalicelib.core import metrics
from chalicelib.core.errors import Invalid
from chalicelib.core.roles import IVR
from chalicelib.models.lookup import LookupAnswer, LookupRequest

area = Area(__name__, "Lookup")
bp = area.blueprint
FORMATS = ("json", "ivr")


def _looked_up(ani: str | None, variables: dict[str, str]) -> LookupAnswer:
    """The lookup, counted by its match kind (a CloudWatch metric)."""
    from chalicelib.services.contacts import lookup
    started = time.perf_counter()
    answer = lookup.lookup(ani, variables)
    metrics.lookup(answer.match, "http", (time.perf_counter() - started) * 1000)
    return answer


def _respond(answer: LookupAnswer, request) -> Response:
    wanted = query(request).get("format")
    if wanted is not None and wanted not in FORMATS:
        raise Invalid(f"format: {wanted!r} is not one of {', '.join(FORMATS)}")
    accept = (request.headers or {}).get("accept", "")
    if wanted == "ivr" or (wanted is None and "text/plain" in accept and "json" not in accept):
        return _flat(answer)
    return to_response(answer)


def _asked_in_query(params: dict[str, str], _path: dict[str, str]) -> dict[str, object]:
    """``ani`` and every other query parameter as a call variable (``format`` chooses the answer)."""
    variables = {k: v for k, v in params.items() if k not in ("ani", "format")}
    return {"ani": params.get("ani"), "callVariables": variables}


def _flat(answer: LookupAnswer) -> Response:
    from chalicelib.services.contacts import lookup
    return Response(body=lookup.flat(answer), status_code=200, headers={"Content-Type": "text/plain; charset=utf-8"})


@area.route("POST", "/contacts/lookup", role=IVR, summary="IVR lookup: who is calling?", request=LookupRequest,
            response=LookupAnswer, query=("format",), request_headers=("Accept",),
            example={"ani": "0014155550100", "callVariables": {"callVariable3": "AC-1"}})
def lookup_post(body: LookupRequest):
    return _respond(_looked_up(body.ani, body.callVariables), area.request)


@area.route("GET", "/contacts/lookup", role=IVR,
            summary="IVR lookup (query form; any other parameter is a call variable)", request=LookupRequest,
            reads=_asked_in_query, response=LookupAnswer, query=("ani", "format"), request_headers=("Accept",),
            call_variables=True)
def lookup_get(body: LookupRequest):
    return _respond(_looked_up(body.ani, body.callVariables), area.request)


# The flat lines as their own resource: a generated client reads a JSON or a text answer by its path.
@area.route("POST", "/contacts/lookup/ivr", role=IVR, summary="IVR lookup, answered as flat key=value lines",
            request=LookupRequest, response=str, media="text/plain",
            example={"ani": "0014155550100", "callVariables": {"callVariable3": "AC-1"}})
def lookup_post_ivr(body: LookupRequest):
    return _flat(_looked_up(body.ani, body.callVariables))


@area.route("GET", "/contacts/lookup/ivr", role=IVR, summary="IVR lookup (query form), as flat key=value lines",
            request=LookupRequest, reads=_asked_in_query, response=str, media="text/plain", query=("ani",),
            call_variables=True)
def lookup_get_ivr(body: LookupRequest):
    return _flat(_looked_up(body.ani, body.callVariables))
