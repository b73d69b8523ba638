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
        return to_response(service.get(contact_id))
"""
from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from chalice import Blueprint, Response
from pydantic import BaseModel

from chalicelib.api import http
from chalicelib.core import actor, errors, invocation, public
from chalicelib.core.roles import PUBLIC, may
from chalicelib.domain import limits
from chalicelib.models.common import parse

log = logging.getLogger("cim")

JSON_MEDIA = "application/json"
HTML_MEDIA = "text/html"
FORM_MEDIA = "application/x-www-form-urlencoded"  # a browser's form post (the desk, the screen pop)


@dataclass(frozen=True)
class Operation:
    """A route as the outside sees it."""
    method: str
    path: str
    role: str
    summary: str
    tag: str
    ok: int = 200  # the success status
    also_ok: tuple[int, ...] = ()  # other success statuses, same body (e.g. 202 while a job is still running)
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
    # A desk page: the caller is the agent signed in (a session cookie), not
    # a key; writes need the session's CSRF token. Kept out of the OpenAPI
    # document (browser pages, not API).
    session: bool = False
    # A create: a retry with the same ``Idempotency-Key`` answers the first result.
    idempotent: bool = False
    # Items of the body are checked one by one (a bad number refuses its item, not the request).
    per_item: bool = False
    # Where the ``request`` model's input comes from when its names are not
    # the model's: ``reads(sent, path_parameters)``, ``sent`` being the JSON
    # body, the form, or (a GET) the query. A form without it gives the
    # model's fields by name, a blank one left out unless it is required.
    reads: Callable[[dict[str, Any], dict[str, str]], Any] | None = None

    @property
    def accepted_media(self) -> list[str]:
        """A JSON body is read whatever type a curl-style client labels it
        with (``curl -d`` says form-urlencoded); it must still be JSON."""
        if self.request_media == JSON_MEDIA:
            return [JSON_MEDIA, "application/x-www-form-urlencoded", "text/plain"]
        return [self.request_media]

    @property
    def has_body(self) -> bool:
        """A GET's declared model is read from its query, not from a body."""
        return self.request is not None and self.method != "GET"

    @property
    def is_page(self) -> bool:
        return self.media == HTML_MEDIA


OPERATIONS: dict[tuple[str, str], Operation] = {}
SIGN_IN_PATH = "/desk/signin"


class Area:
    """The routes of one area of the API: a Chalice blueprint and its OpenAPI tag."""

    def __init__(self, import_name: str, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    @property
    def request(self) -> Any:
        return self.blueprint.current_request

    @property
    def session(self) -> Any:
        """The signed-in agent's session (desk routes only)."""
        return invocation.current().session

    def route(self, method: str, path: str, *, role: str, summary: str,
              **details: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            if (method, path) in OPERATIONS:
                raise RuntimeError(f"{method} {path} is declared twice")
            operation = Operation(method, path, role, summary, self.tag, **details)
            OPERATIONS[(method, path)] = operation
            takes_body = "body" in inspect.signature(view).parameters
            self.blueprint.route(path, methods=[method], content_types=operation.accepted_media)(
                answering_errors(view, operation, self, takes_body))
            return view  # undecorated, so one handler can serve two declarations

        return register


def answering_errors(view: Callable[..., Any], operation: Operation, area: Area,
                     takes_body: bool = False) -> Callable[..., Any]:
    """The caller's role checked, the body read as the declaration says (a
    handler with a ``body`` parameter gets it: the request model, parsed and
    validated, or the JSON as sent), then domain errors become their status
    with a JSON body (an HTML page for pages); anything else is a bug:
    logged whole, answered without detail."""
    page = operation.is_page

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            public.set_request_base(http.request_base(area.request))
            invocation.current().session = None
            who = "public"
            if operation.session:
                session = _check_session(area.request, operation)
                invocation.current().session = session
                who = f"desk:{session.name}"
            elif operation.role != PUBLIC:
                who = _check_role(area.request, operation)
            actor.act_as(who, f"{operation.method} {operation.path}")
            _check_parameters(area.request, kwargs)
            def answer() -> Any:
                if takes_body:  # read after the key: the same key with another body is a 409, whatever body
                    kwargs["body"] = _declared_body(area.request, operation)
                return view(*args, **kwargs)

            key = (area.request.headers or {}).get("idempotency-key") if operation.idempotent else None
            if key is not None:
                return _once(area.request, operation, key, answer)
            return answer()
        except errors.SignInNeeded as error:
            if operation.method == "GET":
                return _to_sign_in(area.request, operation)
            return _sign_in_again() if page else http.error_response(error)
        except errors.DomainError as error:
            return _page_error(error) if page else http.error_response(error)
        except Exception:
            log.exception("unhandled error in request %s", invocation.current().request_id)
            failure = errors.DomainError("An internal error occurred.")
            failure.code = "InternalServerError"
            return _page_error(failure, 500) if page else http.error_response(failure, 500)

    return wrapped


def _declared_body(request: Any, operation: Operation) -> Any:
    """The request body as its declaration says: the ``request`` model,
    parsed and validated (400 naming the field), or the JSON as sent. A
    form's fields, or a GET's query, are read into the model the same way."""
    model = operation.request if isinstance(operation.request, type) and issubclass(operation.request,
                                                                                     BaseModel) else None
    path = dict(request.uri_params or {})
    if operation.request_media == FORM_MEDIA:
        sent: Any = http.form_body(request)
    elif operation.method == "GET":
        sent = http.query(request)
    else:
        sent = http.json_body(request, numbers=not operation.per_item)
    if operation.reads is not None:
        sent = operation.reads(sent, path)
    elif operation.request_media == FORM_MEDIA and model is not None:
        sent = _form_fields(model, sent, path)
    return parse(model, sent) if model is not None else sent


def _form_fields(model: type[BaseModel], form: dict[str, str], path: dict[str, str]) -> dict[str, Any]:
    """The model's fields, by name, from the path and the form. An empty box
    is a field not given, unless the field is required (its own check then
    names it)."""
    given = form | path
    return {name: given[name] for name, field in model.model_fields.items()
            if name in given and (given[name] != "" or field.is_required())}


def _check_parameters(request: Any, path_params: dict[str, Any]) -> None:
    """Path and query parameters are text without control characters or
    lone surrogates (they reach keys, headers and text answers)."""
    given = dict(path_params) | dict((request.query_params or {}) if request is not None else {})
    for name, value in given.items():
        if isinstance(value, str):
            limits.check_text(name, value, strict=True)


IDEMPOTENT_HEADERS = ("Location", "ETag", "X-CIM-Outcome")


def _once(request: Any, operation: Operation, key: str, run: Callable[[], Response]) -> Response:
    """The route's answer to the first request with this ``Idempotency-Key``."""
    from chalicelib.services.access import idempotency

    def answer() -> tuple[int, Any, dict[str, str]]:
        made = run()
        kept = {h: made.headers[h] for h in IDEMPOTENT_HEADERS if h in (made.headers or {})}
        return made.status_code, made.body, kept

    caller = f"{caller_role(request)}:{actor.current().who}"
    status, body, headers, replayed = idempotency.once(caller, f"{operation.method} {operation.path}", key,
                                                       http.raw_body(request), answer)
    extra = {"Idempotent-Replayed": "true"} if replayed else {}
    return Response(body=body, status_code=status, headers=http.JSON | headers | extra)


def caller_role(request: Any) -> str | None:
    """The role of the key that made this request (None for a session or no key)."""
    return (((request.context or {}).get("authorizer") or {}) if request is not None else {}).get("role")


def _check_role(request: Any, operation: Operation) -> str:
    """The authorizer lets every valid key through and puts its role in the
    request context; the role is checked here, so a 403 is the same
    ``{"Code", "Message"}`` under API Gateway, ``chalice local`` and the tests."""
    caller = ((request.context or {}).get("authorizer") or {}) if request is not None else {}
    role = caller.get("role")
    if not may(role, operation.role):
        raise errors.Forbidden(f"this key's role ({role or 'none'}) may not call {operation.method} "
                               f"{operation.path}; it needs {operation.role}")
    return caller.get("key_name") or "unknown key"


def _check_session(request: Any, operation: Operation) -> Any:
    """The agent signed in; a write must also come from our own pages (its
    Origin, when the browser sends one) and carry the session's CSRF token."""
    from chalicelib.services.access import sessions

    session = sessions.current(http.cookie(request, sessions.COOKIE))
    if session is None:
        raise errors.SignInNeeded("sign in first: your session has ended (signed out, expired or key revoked)")
    if not may(session.role, operation.role):
        raise errors.Forbidden(f"your key's role ({session.role}) may not use this page; it needs {operation.role}")
    if operation.method != "GET":
        check_same_origin(request)
        given = (request.headers or {}).get(sessions.CSRF_HEADER) or http.form_body(request).get(sessions.CSRF_FIELD)
        sessions.check_csrf(session, given)
    return session


def check_same_origin(request: Any) -> None:
    """A browser's write names the site it came from: ``Origin`` must be ours
    (scheme, host and port), or, without one, ``Sec-Fetch-Site`` must say
    same-origin. A write that says neither is refused."""
    headers = request.headers or {}
    origin = headers.get("origin")
    if origin is None or origin == "null":
        if headers.get("sec-fetch-site") == "same-origin":
            return
        raise errors.Forbidden("this form did not say where it was sent from (Origin); send it from the desk's pages")
    base = urlsplit(public.url("/"))
    ours = (base.scheme, base.netloc or headers.get("host", ""))
    sent = urlsplit(origin)
    if (sent.scheme, sent.netloc) != ours:
        raise errors.Forbidden("this form was sent from another site")


def _to_sign_in(request: Any, operation: Operation) -> Response:
    """To the sign-in page, and back to this very page afterwards."""
    here = operation.path.format(**(request.uri_params or {}))
    if request.query_params:
        here += "?" + urlencode(dict(request.query_params))
    return Response(body="", status_code=303,
                    headers={"Location": public.url(f"{SIGN_IN_PATH}?{urlencode({'next': here})}")})


def _sign_in_again() -> Response:
    """A desk form sent after its session ended: the sign-in page itself (401),
    whose script sends the agent back to the form with what they typed."""
    from chalicelib.api import desk_views
    from chalicelib.api.pages import html_response

    return html_response(desk_views.sign_in_page("/desk", problem=(
        "Your session ended before this was saved. Sign in again: you go back to the form, with what you typed.")),
        401)


def _page_error(error: errors.DomainError, status: int | None = None) -> Response:
    from chalicelib.api.pages import problem_page

    return problem_page(error.message, status or http.status_of(error),
                        signed_in=invocation.current().session is not None)
