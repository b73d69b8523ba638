"""Attachments: ``POST /s3attachments`` (a presigned upload and a short link),
``GET /a/{code}`` (the short link), ``GET/DELETE /attachments/{id}``."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, json_body, render
from chalicelib.lazy import lazy
from chalicelib.models.attachment import AttachmentRequest
from chalicelib.models.common import parse

attachments = lazy("chalicelib.services.attachments")

bp = Blueprint(__name__)


@bp.route("/s3attachments", methods=["POST"])
@endpoint
def create_attachment():
    created = attachments.create(parse(AttachmentRequest, json_body(bp.current_request)))
    return render(created, status=201, headers={"Location": f"/attachments/{created.id}"})


@bp.route("/a/{code}", methods=["GET"])
@endpoint
def open_short_link(code):
    return Response(body="", status_code=302,
                    headers={"Location": attachments.open_link(code), "Cache-Control": "no-store"})


@bp.route("/attachments/{attachment_id}", methods=["GET"])
@endpoint
def get_attachment(attachment_id):
    return render(attachments.describe(attachment_id))


@bp.route("/attachments/{attachment_id}", methods=["DELETE"])
@endpoint
def delete_attachment(attachment_id):
    return render(attachments.revoke(attachment_id))


@bp.route("/contacts/{contact_id}/attachments", methods=["GET"])
@endpoint
def contact_attachments(contact_id):
    return render({"items": attachments.of_contact(contact_id), "cursor": None})
