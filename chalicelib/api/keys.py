"""API keys (admin): ``POST /keys`` shows the new key once; ``GET /keys``
lists them without secrets; ``DELETE /keys/{key_id}`` revokes one."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import endpoint, json_body, render
from chalicelib.lazy import lazy
from chalicelib.models.apikey import KeyRequest
from chalicelib.models.common import parse

apikeys = lazy("chalicelib.services.apikeys")

bp = Blueprint(__name__)


@bp.route("/keys", methods=["POST"])
@endpoint
def create_key():
    return render(apikeys.create(parse(KeyRequest, json_body(bp.current_request))), status=201)


@bp.route("/keys", methods=["GET"])
@endpoint
def list_keys():
    return render(apikeys.list_keys())


@bp.route("/keys/{key_id}", methods=["DELETE"])
@endpoint
def revoke_key(key_id):
    return render(apikeys.revoke(key_id))
