"""API keys (admin): ``POST /keys`` shows the new key once; ``GET /keys``
lists them without secrets; ``DELETE /keys/{key_id}`` revokes one."""
from __future__ import annotations

from chalicelib.api.http import to_response
from chalicelib.api.routing import Area
from chalicelib.core.roles import ADMIN
from chalicelib.models.apikey import ApiKey, KeyRequest, NewApiKey

area = Area(__name__, "Keys")
bp = area.blueprint


@area.route("POST", "/keys", role=ADMIN, summary="Create an API key (shown once)", ok=201, request=KeyRequest,
            response=NewApiKey, idempotent=True, request_headers=("Idempotency-Key",))
def create_key(body: KeyRequest):
    from chalicelib.services.access import apikeys
    return to_response(apikeys.create(body), status=201)


@area.route("GET", "/keys", role=ADMIN, summary="The API keys, without secrets", response=list[ApiKey], errors=())
def list_keys():
    from chalicelib.services.access import apikeys
    return to_response(apikeys.list_keys())


@area.route("DELETE", "/keys/{key_id}", role=ADMIN, summary="Revoke an API key", response=ApiKey, errors=(400, 404))
def revoke_key(key_id):
    from chalicelib.services.access import apikeys
    return to_response(apikeys.revoke(key_id))
