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


def _looked_up(asked: LookupRequest, *, flat: bool) -> Response:
    """The lookup, counted by its match kind (a CloudWatch metric): the whole
    contacts as JSON, or (``flat``) the IVR's lines from the index's cards."""
    from chalicelib.services.contacts import lookup
    started = time.perf_counter()
    answer = lookup.brief(asked.ani, asked.callVariables) if flat else lookup.lookup(asked.ani, asked.callVariables)
    metrics.lookup(answer.match, "http", (time.perf_counter() - started) * 1000)
    if flat:
        return Response(body=lookup.flat(answer), status_code=200,
                        headers={"Content-Type": "text/plain; charset=utf-8"})
    return to_response(answer)


def _wants_flat(request) -> bool:
    wanted = query(request).get("format")
    if wanted is not None and wanted not in FORMATS:
        raise Invalid(f"format: {wanted!r} is not one of {', '.join(FORMATS)}")
    accept = (request.headers or {}).get("accept", "")
    return wanted == "ivr" or (wanted is None and "text/plain" in accept and "json" not in accept)


def _asked_in_query(params: dict[str, str], _path: dict[str, str]) -> dict[str, object]:
    """``ani`` and every other query parameter as a call variable (``format`` chooses the answer)."""
    variables = {k: v for k, v in params.items() if k not in ("ani", "format")}
    return {"ani": params.get("ani"), "callVariables": variables}


@area.route("POST", "/contacts/lookup", role=IVR, summary="IVR lookup: who is calling?", request=LookupRequest,
            response=LookupAnswer, query=("format",), request_headers=("Accept",),
            example={"ani": "0014155550100", "callVariables": {"callVariable3": "AC-1"}})
def lookup_post(body: LookupRequest):
    return _looked_up(body, flat=_wants_flat(area.request))


@area.route("GET", "/contacts/lookup", role=IVR,
            summary="IVR lookup (query form; any other parameter is a call variable)", request=LookupRequest,
            reads=_asked_in_query, response=LookupAnswer, query=("ani", "format"), request_headers=("Accept",),
            call_variables=True)
def lookup_get(body: LookupRequest):
    return _looked_up(body, flat=_wants_flat(area.request))


# The flat lines as their own resource: a generated client reads a JSON or a text answer by its path.
@area.route("POST", "/contacts/lookup/ivr", role=IVR, summary="IVR lookup, answered as flat key=value lines",
            request=LookupRequest, response=str, media="text/plain",
            example={"ani": "0014155550100", "callVariables": {"callVariable3": "AC-1"}})
def lookup_post_ivr(body: LookupRequest):
    return _looked_up(body, flat=True)


@area.route("GET", "/contacts/lookup/ivr", role=IVR, summary="IVR lookup (query form), as flat key=value lines",
            request=LookupRequest, reads=_asked_in_query, response=str, media="text/plain", query=("ani",),
            call_variables=True)
def lookup_get_ivr(body: LookupRequest):
    return _looked_up(body, flat=True)
