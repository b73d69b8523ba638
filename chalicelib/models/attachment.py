"""Attachments on the wire (``POST /s3attachments``, ``GET /attachments/{id}``)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from chalicelib.models.common import Instant


class AttachmentRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    fileName: StrictStr = Field(min_length=1, max_length=1000)
    mimeType: StrictStr = Field(min_length=3, max_length=200)
    size: StrictInt = Field(ge=1, description="bytes the client will upload")
    call_Id: StrictStr | None = None
    contact_id: StrictStr | None = None


class Upload(BaseModel):
    model_config = ConfigDict(defer_build=True)

    url: str
    fields: dict[str, str]


class AttachmentCreated(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    upload: Upload
    shortUrl: str
    expiresAt: str
    fileName: str
    mimeType: str
    maxBytes: int = Field(description="the upload must be exactly this many bytes (the declared size)")


class Attachment(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    fileName: str
    mimeType: str
    declaredSize: int
    status: Literal["pending", "stored", "mismatch", "expired", "revoked"]
    size: int | None = Field(None, description="stored bytes (HeadObject), once stored")
    contentType: str | None = None
    shortUrl: str
    call_Id: str | None = None
    contact_id: str | None = None
    created_at: Instant
    expiresAt: str


class FileEntry(BaseModel):
    """What a contact's file list and a call's tree show of an attachment."""
    model_config = ConfigDict(defer_build=True)

    id: str
    fileName: str
    mimeType: str
    shortUrl: str
    created_at: Instant


class AttachmentList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[FileEntry]
    cursor: str | None = None
