"""The attachment bucket: presigned uploads and downloads, HeadObject, delete.

The deployed bucket is versioned (an overwritten or deleted file can be
recovered by an operator), so a delete here removes **every version** of
the file, not only the current one: a file deleted by an erasure (or an
access request's finds, once assembled) must not live on as an older
version."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.errors import Unavailable
from chalicelib.core.settings import get_settings
from chalicelib.store import aws


def _bucket() -> str:
    return get_settings().bucket_name


def presigned_post(key: str, mime_type: str, size: int, seconds: int, redirect: str | None = None
                   ) -> dict[str, Any]:
    """A browser-ready upload form pinned to ``key``, ``mime_type`` and
    exactly ``size`` bytes; ``redirect``: where S3 sends the browser after."""
    fields: dict[str, str] = {"Content-Type": mime_type}
    conditions: list[Any] = [{"Content-Type": mime_type}, ["content-length-range", size, size]]
    if redirect:
        fields["success_action_redirect"] = redirect
        conditions.append({"success_action_redirect": redirect})
    return aws.s3().generate_presigned_post(Bucket=_bucket(), Key=key, Fields=fields, Conditions=conditions,
                                            ExpiresIn=seconds)


def upload_origin() -> str:
    """Scheme and host of the bucket's upload URL (computed locally, no call)."""
    url = aws.s3().generate_presigned_post(Bucket=_bucket(), Key="origin", ExpiresIn=60)["url"]
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Types a browser shows without running anything: opened in the tab; any other is downloaded.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"})


def presigned_get(key: str, file_name: str, mime_type: str, seconds: int) -> str:
    return aws.s3().generate_presigned_url(
        "get_object",
        Params={"Bucket": _bucket(), "Key": key, "ResponseContentType": mime_type,
                "ResponseContentDisposition": content_disposition(file_name, inline=mime_type in INLINE_TYPES)},
        ExpiresIn=seconds,
    )


def content_disposition(file_name: str, *, inline: bool = False) -> str:
    """``attachment`` (or ``inline``) with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    from urllib.parse import quote

    ascii_name = file_name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"


def head(key: str) -> dict[str, Any] | None:
    """Size and type of the stored object, or None while it has not arrived."""
    reply = _unless_missing(lambda: aws.s3().head_object(Bucket=_bucket(), Key=key))
    return None if reply is None else {"size": reply["ContentLength"], "contentType": reply.get("ContentType")}


def delete(key: str) -> None:
    """Delete the file and all its versions."""
    delete_many([key])


def put_document(key: str, body: bytes, content_type: str) -> None:
    """Write a file the service made itself (an access request's document)."""
    try:
        aws.s3().put_object(Bucket=_bucket(), Key=key, Body=body, ContentType=content_type)
    except (BotoCoreError, ClientError) as error:
        raise Unavailable("the attachment bucket is not reachable; try again") from error


def get_document(key: str) -> bytes | None:
    """A file the service wrote itself, or None if it is gone."""
    reply = _unless_missing(lambda: aws.s3().get_object(Bucket=_bucket(), Key=key))
    return None if reply is None else reply["Body"].read()


def _unless_missing(request: Any) -> dict[str, Any] | None:
    """An S3 answer, None for a missing object, Unavailable for a fault."""
    try:
        return request()
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise Unavailable("the attachment bucket is not reachable; try again") from error
    except BotoCoreError as error:
        raise Unavailable("the attachment bucket is not reachable; try again") from error


def keys_under(prefix: str) -> list[str]:
    """The keys of the files the service wrote under ``prefix``."""
    found: list[str] = []
    try:
        for page in aws.s3().get_paginator("list_objects_v2").paginate(Bucket=_bucket(), Prefix=prefix):
            found += [o["Key"] for o in page.get("Contents", [])]
    except (ClientError, BotoCoreError) as error:
        raise Unavailable("the attachment bucket is not reachable; try again") from error
    return found


def delete_many(keys: list[str]) -> None:
    """Delete files and every version of them (one listing of the versions
    under their common prefix, then a thousand deletions a call)."""
    import os.path

    if not keys:
        return
    wanted = set(keys)
    try:
        versions = []
        pages = aws.s3().get_paginator("list_object_versions").paginate(
            Bucket=_bucket(), Prefix=os.path.commonprefix(keys))
        for page in pages:
            versions += [{"Key": v["Key"], "VersionId": v["VersionId"]}
                         for v in page.get("Versions", []) + page.get("DeleteMarkers", []) if v["Key"] in wanted]
        for start in range(0, len(versions), 1000):
            aws.s3().delete_objects(Bucket=_bucket(), Delete={"Objects": versions[start:start + 1000], "Quiet": True})
    except (ClientError, BotoCoreError) as error:
        raise Unavailable("the attachment bucket is not reachable; try again") from error
