"""What every route shares: reading bodies and paging parameters, rendering
JSON, and the domain error -> status table (``routing`` applies it to every
route: Chalice offers no exception hook for views)."""
from __future__ import annotations

import json
from typing import Any

from chalice import Response
from pydantic import BaseModel

from chalicelib.core import errors
from chalicelib.core.settings import get_settings
from chalicelib.domain import limits
from chalicelib.models.common import Page

STATUS: dict[type[errors.DomainError], int] = {
    errors.Invalid: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Gone: 410,
    errors.PreconditionFailed: 412,
    errors.TooLarge: 413,
    errors.Unprocessable: 422,
    errors.Unavailable: 503,
}

JSON = {"Content-Type": "application/json"}
NEXT_CURSOR_HEADER = "X-Next-Cursor"


def status_of(error: errors.DomainError) -> int:
    return next((s for cls, s in STATUS.items() if isinstance(error, cls)), 400)


def error_response(error: errors.DomainError, status: int | None = None) -> Response:
    body = {"Code": error.code, "Message": error.message}
    details = dict(error.details)
    headers = dict(JSON)
    if "retry_after" in details:  # a 503 says when to come back
        headers["Retry-After"] = str(details.pop("retry_after"))
    elif isinstance(error, errors.Unavailable):
        headers["Retry-After"] = "1"
    body.update({k if error.snake_case_details else _camel(k): v for k, v in details.items()})
    return Response(body=body, status_code=status or status_of(error), headers=headers)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def request_base(request: Any) -> str:
    """The base URL this request reached the API at: its scheme and host, plus
    the stage prefix on API Gateway's own host (custom domains map a stage to
    the root)."""
    headers = request.headers or {}
    host = headers.get("host", "")
    if not host:
        return ""
    scheme = headers.get("x-forwarded-proto", "https" if host.endswith(".amazonaws.com") else "http")
    stage = (request.context or {}).get("stage") if host.endswith(".amazonaws.com") else None
    return f"{scheme}://{host}" + (f"/{stage}" if stage else "")


def cookie(request: Any, name: str) -> str | None:
    """One cookie's value from the request's Cookie header(s)."""
    from http.cookies import CookieError, SimpleCookie

    header = (request.headers or {}).get("cookie") or ""
    jar = SimpleCookie()
    for part in header.split(";"):
        try:
            jar.load(part.strip())
        except CookieError:  # another site's odd cookie must not hide ours
            continue
    return jar[name].value if name in jar else None


def form_body(request: Any) -> dict[str, str]:
    """A form-urlencoded body as {name: first value} ({} for any other body)."""
    from urllib.parse import parse_qs

    media = ((request.headers or {}).get("content-type") or "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        return {}
    raw = raw_body(request).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def raw_body(request: Any) -> bytes:
    """The request body's bytes, or a 413 before anything reads them."""
    raw = request.raw_body or b""
    limit = get_settings().max_body_bytes
    if len(raw) > limit:
        raise errors.TooLarge(f"body: larger than {limit} bytes")
    return raw


def parse_json(raw: bytes, *, arrays: bool = False, numbers: bool = True) -> Any:
    """``raw`` as a JSON object (or, with ``arrays``, an array), or a clear 400.
    ``numbers``: refuse numbers the table cannot store (batch routes check
    them per item instead, so one bad item does not refuse the others)."""
    wanted = "a JSON object or array" if arrays else "a JSON object"
    if not raw.strip():
        raise errors.Invalid(f"body: {wanted} is required")
    try:
        data = json.loads(raw, parse_constant=_no_constant, parse_int=limits.json_int)
    except UnicodeDecodeError:
        raise errors.Invalid("body: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise errors.Invalid(f"body: malformed JSON ({error.msg} at line {error.lineno} column {error.colno}); "
                             "send a JSON document (Content-Type: application/json)") from None
    except RecursionError:
        raise errors.Invalid(f"body: nested deeper than {limits.MAX_DEPTH} levels") from None
    limits.check_json(data, numbers=numbers)
    if not isinstance(data, dict) and not (arrays and isinstance(data, list)):
        raise errors.Invalid(f"body: must be {wanted}, not {type(data).__name__}")
    return data


def _no_constant(name: str) -> Any:
    raise errors.Invalid(f"body: {name} is not a JSON number")


def json_body(request: Any, *, numbers: bool = True) -> dict[str, Any]:
    """The request body as a JSON object, or a clear 400/413 (read once a request)."""
    read = request.__dict__.setdefault("_cim_json", {})
    if numbers not in read:
        read[numbers] = parse_json(raw_body(request), numbers=numbers)
    return read[numbers]


def query(request: Any) -> dict[str, str]:
    return dict(request.query_params or {})


def page_params(request: Any) -> tuple[int, str | None]:
    """``limit`` (default and cap from settings) and ``cursor``."""
    params = query(request)
    settings = get_settings()
    raw = params.get("limit")
    if raw is None or raw == "":
        limit = settings.page_default
    else:
        try:
            limit = int(raw)
        except ValueError:
            raise errors.Invalid(f"limit: {raw!r} is not a whole number") from None
        if limit < 1:
            raise errors.Invalid("limit: must be at least 1")
        limit = min(limit, settings.page_max)
    return limit, params.get("cursor") or None


def if_match(request: Any) -> int | None:
    """The version named by ``If-Match`` (``"3"``, ``W/"3"`` or ``3``), if any."""
    raw = (request.headers or {}).get("if-match")
    if raw is None or raw.strip() == "*":
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isascii() or not text.isdigit() or len(text) > 15:
        raise errors.Invalid(f"If-Match: {raw!r} is not a version; send the ETag you read")
    return int(text)


def body_version(data: dict[str, Any]) -> int | None:
    raw = data.get("version")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise errors.Invalid("version: must be a whole number (the version you read)")
    return raw


def to_response(model: BaseModel | list[BaseModel] | dict[str, Any], status: int = 200,
                headers: dict[str, str] | None = None, *, omit_none: bool = False) -> Response:
    """``omit_none``: fields without a value are left out (as the stored
    document has them) rather than sent as null."""
    if isinstance(model, BaseModel):
        body: Any = model.model_dump(mode="json", exclude_none=omit_none)
    elif isinstance(model, list):
        body = [m.model_dump(mode="json", exclude_none=omit_none) for m in model]
    else:
        body = model
    return Response(body=body, status_code=status, headers=JSON | (headers or {}))


def list_response(items: list[BaseModel], cursor: str | None) -> Response:
    """A bare JSON array (the CIM routes' documented shape); the next page's
    cursor travels in a header."""
    headers = {NEXT_CURSOR_HEADER: cursor} if cursor else {}
    return to_response(items, headers=headers)


def page_response(items: list[BaseModel], cursor: str | None) -> Response:
    """A resource-style page: the declared ``Page[T]`` model, dumped."""
    return to_response(Page[Any](items=items, cursor=cursor))
