"""``chalice local`` as ``make run`` starts it, with two changes to its HTTP handler:

- Nagle's algorithm off: ``chalice local`` answers in two writes (headers,
  then body) on a kept-alive connection, and with Nagle on the body waits for
  the client's delayed ACK, adding ~40 ms to every request.
- A listen backlog of 128 instead of socketserver's 5: a burst of
  concurrent clients (racing legs of one call) was reset, not queued.
- A request without a key answered like every other 401 (``{"Code",
  "Message"}``): API Gateway does so through the UNAUTHORIZED gateway
  response ``make package`` sets; ``chalice local`` has its own body for it.
- The deployment's other triggers run too: the table's stream feeds the
  stream function (outbound events, webhooks) and the scheduled functions
  run on their schedules (``devtools/triggers``).
- An access log without personal data: the standard one prints whole request
  lines (numbers and names in paths and query strings, signed links, cursors).
  Ours prints the method, the route's first segment and the status; the app's
  own JSON request log names the route template.
"""
from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit


def _first_segment(raw_path: str) -> str:
    """The route's first segment if the app has a route starting with it
    (``/contacts/…``); anything else could be a name typed into a URL."""
    parts = urlsplit(raw_path).path.strip("/").split("/")
    first = "/" + parts[0] if parts[0] in _route_words() else "/?"
    return first + ("/…" if len(parts) > 1 else "")


@lru_cache(maxsize=1)
def _route_words() -> frozenset[str]:
    from app import app  # already imported by `chalice local` in this process

    return frozenset(path.strip("/").split("/")[0] for path in app.routes)


def patch_handler() -> None:
    from chalice import local

    def log_request(self: Any, code: Any = "-", size: Any = "-") -> None:
        self.log_message("%s %s %s", getattr(self, "command", "-"), _first_segment(getattr(self, "path", "")),
                         code)

    def log_error(self: Any, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        self.log_message("error %s", args[0] if args else "-")  # the status only, never the request line

    def refuse_unknown_method(self: Any, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A method no route has (TRACE, PROPFIND, ...) is a JSON 405, not
        http.server's 501 HTML page."""
        if code != 501:
            return send_error(self, code, message, explain)
        text = json.dumps({"Code": "MethodNotAllowed",
                           "Message": f"{self.command}: not a method of this API"}).encode()
        self.send_response(405)
        self.send_header("Content-Type", "application/json")
        self.send_header("Allow", "GET, POST, PUT, DELETE, OPTIONS")
        self.send_header("Content-Length", str(len(text)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(text)

    send_error = local.ChaliceRequestHandler.send_error
    local.ChaliceRequestHandler.send_error = refuse_unknown_method
    local.ChaliceRequestHandler.disable_nagle_algorithm = True
    local.ThreadedHTTPServer.request_queue_size = 128
    local.ChaliceRequestHandler.log_request = log_request
    local.ChaliceRequestHandler.log_error = log_error


def answer_missing_keys_like_the_gateway() -> None:
    """``chalice local`` answers a request without ``Authorization`` with its
    own ``{"message": "Unauthorized"}``; the deployed API (and this) with ours."""
    from chalice import local

    from chalicelib.api.access import UNAUTHORIZED

    if getattr(local.LocalGatewayAuthorizer, "_cim_patched", False):
        return
    prepare = local.LocalGatewayAuthorizer._prepare_authorizer_event

    def prepare_or_refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return prepare(self, *args, **kwargs)
        except local.NotAuthorizedError as refused:
            refused.headers["Content-Type"] = "application/json"
            refused.body = json.dumps(UNAUTHORIZED).encode()
            raise

    local.LocalGatewayAuthorizer._prepare_authorizer_event = prepare_or_refuse
    local.LocalGatewayAuthorizer._cim_patched = True


def with_faults_if_asked() -> None:
    """``CIM_FAULT_RATE=0.1 make run``: a tenth of the server's DynamoDB and S3
    calls fail as AWS fails (throttling, internal errors, timeouts,
    transaction conflicts), to see every answer stay a success or a 503."""
    rate = float(os.environ.get("CIM_FAULT_RATE") or 0)
    if rate <= 0:
        return
    from chalicelib.store import aws
    from devtools.emulator import inject_faults

    inject_faults(aws.dynamodb(), "dynamodb", rate)
    inject_faults(aws.s3(), "s3", rate)
    print(f"faults: {rate:.0%} of DynamoDB and S3 calls fail (CIM_FAULT_RATE)", file=sys.stderr)


def run_triggers() -> None:
    """The table's stream and the schedules, as AWS runs them (``devtools/triggers``)."""
    from app import app
    from chalicelib.core.settings import get_settings
    from devtools.triggers import start

    start(app, get_settings().table_name)


def main() -> int:
    patch_handler()
    answer_missing_keys_like_the_gateway()
    with_faults_if_asked()
    run_triggers()
    from chalice.cli import main as chalice

    return chalice()


if __name__ == "__main__":
    sys.exit(main())
