"""Attachments: ``POST /s3attachments`` (a presigned upload and a short link),
``GET /a/{code}`` (the short link), ``GET/DELETE /attachments/{id}``."""
from __future__ import annotations

from chalice import Response

from chalicelib.api.http import to_response
from chalicelib.api.routing import Area
from chalicelib.core import public
from chalicelib.core.roles import AGENT, PUBLIC
from chalicelib.models.attachment import Attachment, AttachmentCreated, AttachmentList, AttachmentRequest

area = Area(__name__, "Attachments")
bp = area.blueprint


@area.route("POST", "/s3attachments", role=AGENT, summary="A presigned upload and a short link", ok=201,
            request=AttachmentRequest, response=AttachmentCreated, errors=(400, 404, 413), headers=("Location",),
            example={"fileName": "invoice.pdf", "mimeType": "application/pdf", "size": 48213}, idempotent=True, request_headers=("Idempotency-Key",))
def create_attachment(body: AttachmentRequest):
    from chalicelib.services.calls import attachments
    created = attachments.create(body)
    return to_response(created, status=201, headers={"Location": public.url(f"/attachments/{created.id}")})


# The short link is the secret: 128 random bits.
@area.route("GET", "/a/{code}", role=PUBLIC, summary="Open a short link (302 to a one-minute download)", ok=302,
            media="", errors=(404, 409, 410), headers=("Location",))
def open_short_link(code):
    from chalicelib.services.calls import attachments
    return Response(body="", status_code=302,
                    headers={"Location": attachments.open_link(code), "Cache-Control": "no-store"})


@area.route("GET", "/attachments/{attachment_id}", role=AGENT, summary="An attachment's status",
            response=Attachment, errors=(400, 404))
def get_attachment(attachment_id):
    from chalicelib.services.calls import attachments
    return to_response(attachments.describe(attachment_id))


@area.route("DELETE", "/attachments/{attachment_id}", role=AGENT, summary="Delete the file, revoke the link",
            response=Attachment, errors=(400, 404))
def delete_attachment(attachment_id):
    from chalicelib.services.calls import attachments
    return to_response(attachments.revoke(attachment_id))


@area.route("GET", "/contacts/{contact_id}/attachments", role=AGENT, summary="A contact's attachments",
            response=AttachmentList, errors=(400, 404))
def contact_attachments(contact_id):
    from chalicelib.services.calls import attachments
    return to_response(AttachmentList(items=attachments.of_contact(contact_id)))
