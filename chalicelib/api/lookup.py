"""The IVR lookup: ``POST /contacts/lookup`` and ``GET /contacts/lookup``.

JSON by default; ``?format=ivr`` or ``Accept: text/plain`` gives flat
``key=value`` lines for IVR scripts.
"""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, json_body, query, render
from chalicelib.errors import Invalid
from chalicelib.lazy import lazy
from chalicelib.models.common import parse
from chalicelib.models.lookup import LookupAnswer, LookupRequest

lookup = lazy("chalicelib.services.lookup")

bp = Blueprint(__name__)
FORMATS = ("json", "ivr")


def _respond(answer: LookupAnswer, request) -> Response:
    wanted = query(request).get("format")
    if wanted is not None and wanted not in FORMATS:
        raise Invalid(f"format: {wanted!r} is not one of {', '.join(FORMATS)}")
    accept = (request.headers or {}).get("accept", "")
    if wanted == "ivr" or (wanted is None and "text/plain" in accept and "json" not in accept):
        return Response(body=lookup.flat(answer), status_code=200,
                        headers={"Content-Type": "text/plain; charset=utf-8"})
    return render(answer)


@bp.route("/contacts/lookup", methods=["POST"])
@endpoint
def lookup_post():
    request = bp.current_request
    asked = parse(LookupRequest, json_body(request))
    return _respond(lookup.lookup(asked.ani, asked.callVariables), request)


@bp.route("/contacts/lookup", methods=["GET"])
@endpoint
def lookup_get():
    request = bp.current_request
    params = query(request)
    variables = {k: v for k, v in params.items() if k not in ("ani", "format")}
    asked = parse(LookupRequest, {"ani": params.get("ani"), "callVariables": variables})
    return _respond(lookup.lookup(asked.ani, asked.callVariables), request)
