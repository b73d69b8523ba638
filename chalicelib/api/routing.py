"""One declaration per route.

``area.route(...)``, written once above the handler, registers everything a
route is: the Chalice route, the role that may call it, its OpenAPI
operation, and the mapping of domain errors to answers (JSON, or an HTML page
for the pages). ``access`` (who may call what) and ``spec`` (the OpenAPI
document) read ``OPERATIONS``; nothing else lists routes.

    contacts = Area(__name__, "Contacts")

    @contacts.route("GET", "/contacts/{contact_id}", role=AGENT, summary="One contact",
                    response=Contact, errors=(400, 404), headers=("ETag",))
    def get_contact(contact_id):
        return render(service.get(contact_id))
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import http
from chalicelib.core import errors, public
from chalicelib.core.roles import PUBLIC, may

log = logging.getLogger("cim")

JSON_MEDIA = "application/json"
HTML_MEDIA = "text/html"


@dataclass(frozen=True)
class Operation:
    """A route as the outside sees it."""
    method: str
    path: str
    role: str
    summary: str
    tag: str
    ok: int = 200  # the success status
    request: Any = None  # model (or type) of the body; None: no body
    response: Any = None  # model (or type) of the success answer
    errors: tuple[int, ...] = (400,)  # error statuses besides 401/403 (added for keyed routes) and 415
    query: tuple[str, ...] = ()  # query parameters read
    media: str = JSON_MEDIA  # of the success answer: JSON, HTML, or "" (none, e.g. a redirect)
    example: dict[str, Any] | None = None  # a request body that works
    headers: tuple[str, ...] = ()  # response headers set on success
    request_media: str = JSON_MEDIA  # of the request body
    request_headers: tuple[str, ...] = ()  # request headers read (besides Authorization and Content-Type)
    call_variables: bool = False  # any other query parameter is a call variable

    @property
    def accepted_media(self) -> list[str]:
        """A JSON body is read whatever type a curl-style client labels it
        with (``curl -d`` says form-urlencoded); it must still be JSON."""
        if self.request_media == JSON_MEDIA:
            return [JSON_MEDIA, "application/x-www-form-urlencoded", "text/plain"]
        return [self.request_media]

    @property
    def is_page(self) -> bool:
        return self.media == HTML_MEDIA


OPERATIONS: dict[tuple[str, str], Operation] = {}


class Area:
    """The routes of one area of the API: a Chalice blueprint and its OpenAPI tag."""

    def __init__(self, import_name: str, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    @property
    def request(self) -> Any:
        return self.blueprint.current_request

    def route(self, method: str, path: str, *, role: str, summary: str,
              **details: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            if (method, path) in OPERATIONS:
                raise RuntimeError(f"{method} {path} is declared twice")
            operation = Operation(method, path, role, summary, self.tag, **details)
            OPERATIONS[(method, path)] = operation
            self.blueprint.route(path, methods=[method], content_types=operation.accepted_media)(
                answering_errors(view, operation, self))
            return view  # undecorated, so one handler can serve two declarations

        return register


def answering_errors(view: Callable[..., Any], operation: Operation, area: Area) -> Callable[..., Any]:
    """The caller's role checked, then domain errors become their status with
    a JSON body (an HTML page for pages); anything else is a bug: logged
    whole, answered without detail."""
    page = operation.is_page

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            public.set_request_base(http.request_base(area.request))
            if operation.role != PUBLIC:
                _check_role(area.request, operation)
            return view(*args, **kwargs)
        except errors.DomainError as error:
            return _page_error(error) if page else http.error_response(error)
        except Exception:
            log.exception("unhandled error")
            failure = errors.DomainError("An internal error occurred.")
            failure.code = "InternalServerError"
            return _page_error(failure, 500) if page else http.error_response(failure, 500)

    return wrapped


def _check_role(request: Any, operation: Operation) -> None:
    """The authorizer lets every valid key through and puts its role in the
    request context; the role is checked here, so a 403 is the same
    ``{"Code", "Message"}`` under API Gateway, ``chalice local`` and the tests."""
    caller = ((request.context or {}).get("authorizer") or {}) if request is not None else {}
    role = caller.get("role")
    if not may(role, operation.role):
        raise errors.Forbidden(f"this key's role ({role or 'none'}) may not call {operation.method} "
                               f"{operation.path}; it needs {operation.role}")


def _page_error(error: errors.DomainError, status: int | None = None) -> Response:
    from chalicelib.api.pages import problem_page

    return problem_page(error.message, status or http.status_of(error))
