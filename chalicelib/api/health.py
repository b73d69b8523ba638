"""``GET /health``: 200 once the table answers, 503 otherwise."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.errors import Unavailable
from chalicelib.lazy import lazy

health = lazy("chalicelib.services.health")

bp = Blueprint(__name__)


@bp.route("/health", methods=["GET"])
def get_health():
    try:
        health.check()
    except Unavailable as error:
        return Response(body={"status": "unavailable", "Message": error.message}, status_code=503)
    return {"status": "ok"}
