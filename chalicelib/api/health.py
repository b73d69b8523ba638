"""``GET /health``: 200 once the table answers, 503 otherwise; and the
browser's own question, ``GET /favicon.ico`` (no icon: 204, cached a day)."""
from __future__ import annotations

from chalice import Response

from chalicelib.api.http import to_response
from chalicelib.api.routing import Area
from chalicelib.core.errors import Unavailable
from chalicelib.core.roles import PUBLIC
from chalicelib.models.common import Health

area = Area(__name__, "Service")
bp = area.blueprint


@area.route("GET", "/health", role=PUBLIC, summary="Health: 200 once the table answers", response=Health,
            errors=(503,))
def get_health():
    from chalicelib.services import health
    try:
        health.check()
    except Unavailable as error:  # a load balancer reads "status"; people read the error
        return to_response(Health(status="unavailable", Code=error.code, Message=error.message), status=503)
    return to_response(Health(status="ok"))


@area.route("GET", "/favicon.ico", role=PUBLIC, summary="No icon (browsers ask on every page)", ok=204, media="",
            errors=(), headers=("Cache-Control",))
def favicon():
    return Response(body="", status_code=204, headers={"Cache-Control": "public, max-age=86400"})
