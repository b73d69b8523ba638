"""A small, real HTTP stand-in for Sinch Contact Center's RMI and RCI, on
loopback: contact records with offset/limit paging from ``startTime`` in
arrival order, their ``details``, ``contactData`` write-backs, ``callbacks``, HTTP Basic
auth, and faults to switch on (slow answers, 500s, a 401, failing details)."""
from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeContactCenter:
    USER, PASSWORD = "cim-sync", "s3cret"

    def __init__(self, records: list[dict[str, Any]] | None = None) -> None:
        self.records = list(records or [])
        self.details: dict[str, list[dict[str, Any]]] = {}
        self.fail_pages: dict[int, int] = {}      # offset -> how many 500s before it answers
        self.fail_details: set[str] = set()       # record ids whose details always fail (500)
        self.fail_contact_data = 0                # how many write-backs fail before they work
        self.refuse_all = False                   # answer 401
        self.delay = 0.0
        self.requests: list[str] = []
        self.contact_data: list[dict[str, Any]] = []
        self.callbacks: list[dict[str, Any]] = []  # RCI callbacks created
        self.fail_callbacks = 0                    # how many callback creations fail (503) before they work
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/RI"

    def __enter__(self) -> FakeContactCenter:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _send(self, status: int, body: Any = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                expected = base64.b64encode(f"{fake.USER}:{fake.PASSWORD}".encode()).decode()
                return not fake.refuse_all and self.headers.get("Authorization") == f"Basic {expected}"

            def do_GET(self) -> None:  # noqa: N802
                fake.requests.append(f"GET {self.path}")
                time.sleep(fake.delay)
                if not self._authorised():
                    return self._send(401, {"message": "Unauthorized"})
                url = urlsplit(self.path)
                parts = url.path.strip("/").split("/")
                if parts[:3] == ["RI", "rmi", "contacts"] and len(parts) == 3:
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
                    if fake.fail_pages.get(offset, 0) > 0:
                        fake.fail_pages[offset] -= 1
                        return self._send(500, {"message": "boom"})
                    start = query.get("startTime", "")
                    chosen = sorted((r for r in fake.records if str(r.get("arrivalTime", "")) >= start),
                                    key=lambda r: str(r.get("arrivalTime", "")))
                    return self._send(200, chosen[offset:offset + limit])
                if parts[:3] == ["RI", "rmi", "contacts"] and len(parts) == 5 and parts[4] == "details":
                    if parts[3] in fake.fail_details:
                        return self._send(500, {"message": "details unavailable"})
                    return self._send(200, fake.details.get(parts[3], []))
                return self._send(404, {"message": "HTTP 404 Not Found"})

            def do_POST(self) -> None:  # noqa: N802
                fake.requests.append(f"POST {self.path}")
                if not self._authorised():
                    return self._send(401, {"message": "Unauthorized"})
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")
                if self.path == "/RI/rci/contactData":
                    if fake.fail_contact_data > 0:
                        fake.fail_contact_data -= 1
                        return self._send(503, {"message": "busy"})
                    fake.contact_data.append(body)
                    return self._send(200, None)
                if self.path == "/RI/rci/callbacks":
                    if fake.fail_callbacks > 0:
                        fake.fail_callbacks -= 1
                        return self._send(503, {"message": "busy"})
                    fake.callbacks.append(body)
                    return self._send(201, body | {"id": f"cb-{len(fake.callbacks)}"})
                return self._send(404, {"message": "HTTP 404 Not Found"})

        return Handler


def push_headers(secret: str, raw: bytes, at: float | None = None) -> dict[str, str]:
    """The headers Sinch's push carries: the Unix time it was signed at and
    the HMAC of ``<time>.<body>``."""
    import hashlib
    import hmac
    stamp = str(int(time.time() if at is None else at))
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return {"X-CIM-Timestamp": stamp, "X-CIM-Signature": f"sha256={digest}"}
