"""Wrap-up codes, and closing a call with one."""
from __future__ import annotations

from chalicelib.api.http import to_response
from chalicelib.api.routing import Area
from chalicelib.core.roles import ADMIN, AGENT
from chalicelib.models.wrapups import Wrapup, WrapupCodes, WrapupRequest

area = Area(__name__, "Wrap-up codes")
bp = area.blueprint


@area.route("GET", "/wrapup-codes", role=AGENT, summary="The wrap-up codes agents choose from",
            response=WrapupCodes)
def wrapup_codes():
    from chalicelib.services.calls import wrapups
    return to_response(wrapups.codes())


@area.route("PUT", "/wrapup-codes", role=ADMIN, summary="Replace the wrap-up codes (the whole list)",
            request=WrapupCodes, response=WrapupCodes, errors=(400, 413))
def replace_wrapup_codes(body: WrapupCodes):
    from chalicelib.services.calls import wrapups
    return to_response(wrapups.replace(body))


@area.route("POST", "/interactions/{call_Id}/wrapup", role=AGENT, summary="Close a call with a wrap-up code",
            ok=201, request=WrapupRequest, response=Wrapup, errors=(400, 404, 413), idempotent=True,
            request_headers=("Idempotency-Key",), example={"code": "BILLING", "note": "Explained the late fee"})
def wrap_up(call_Id, body: WrapupRequest):  # noqa: N803 - the CIM API's name
    from chalicelib.services.calls import wrapups
    return to_response(wrapups.wrap_up(call_Id, body), status=201)
