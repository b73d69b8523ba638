"""Behind an API Gateway stage (``/api``) or a custom domain, every URL the
service writes must lead back to it: the server runs behind a small
path-prefix proxy, and the test follows every link and redirect it is given."""
from __future__ import annotations

import http.client
import re
import threading
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests

from devtools.emulator import free_port
from tests.conftest import ADMIN_KEY
from tests.e2e.conftest import start_server, stop_server

pytestmark = pytest.mark.e2e
PREFIX = "/api"


def _proxy(listen: int, target: int) -> ThreadingHTTPServer:
    """Forwards ``/api/<path>`` to the server's ``/<path>``, as a stage mapping does; anything else is a 404."""

    class Forward(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            if not self.path.startswith(PREFIX + "/"):
                self.send_error(404, "outside the stage")
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            upstream = http.client.HTTPConnection("127.0.0.1", target, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            upstream.request(self.command, self.path[len(PREFIX):], body=body, headers=headers)
            reply = upstream.getresponse()
            content = reply.read()
            self.send_response(reply.status)
            for name, value in reply.getheaders():
                if name.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_DELETE = _forward

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", listen), Forward)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def staged():
    listen = free_port()
    base = f"http://127.0.0.1:{listen}{PREFIX}"
    backend = start_server({"CIM_TABLE_NAME": "cim-e2e-stage", "CIM_PUBLIC_BASE_URL": base})
    proxy = _proxy(listen, int(backend.url.rsplit(":", 1)[1]))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
    yield base, session
    proxy.shutdown()
    stop_server(backend)


def _links(page: str) -> list[str]:
    """Every address a page sends the browser to (not its in-page anchors, such as the skip link)."""
    return [unescape(h) for h in re.findall(r'(?:href|action)="([^"#][^"]*)"', page)]


def test_every_link_and_redirect_leads_back_through_the_stage(staged):
    base, session = staged
    made = session.post(f"{base}/contacts", json={"first_name": "Stagey", "phone1": "415-555-0155"})
    assert made.status_code == 201 and made.headers["Location"].startswith(base + "/contacts/")
    assert session.get(made.headers["Location"]).json()["first_name"] == "Stagey"
    session.post(f"{base}/saveContact", json={"first_name": "Stagey Two", "phone1": "415-555-0155"})

    chooser_url = session.post(f"{base}/screenpop/link", json={"ani": "4155550155"}).json()["url"]
    assert chooser_url.startswith(base + "/screenpop?")
    chooser = requests.get(chooser_url, timeout=10)
    links = _links(chooser.text)
    assert chooser.status_code == 200 and len(links) == 2
    for link in links:
        assert link.startswith(base + "/screenpop?"), link
        assert "Stagey" in requests.get(link, timeout=10).text

    form_url = session.post(f"{base}/screenpop/link", json={"ani": "4155550156"}).json()["url"]
    form = requests.get(form_url, timeout=10).text
    (action,) = _links(form)
    assert action == base + "/screenpop/contacts"
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    fields["first_name"] = "Newcomer"
    posted = requests.post(action, data={k: unescape(v) for k, v in fields.items()}, allow_redirects=False,
                           timeout=10)
    assert posted.status_code == 303 and posted.headers["Location"].startswith(base + "/screenpop?")
    assert "Newcomer" in requests.get(posted.headers["Location"], timeout=10).text

    upload = session.post(f"{base}/s3attachments", json={"fileName": "a.pdf", "mimeType": "application/pdf",
                                                          "size": 10})
    assert upload.status_code == 201 and upload.headers["Location"].startswith(base + "/attachments/")
    assert session.get(upload.headers["Location"]).json()["status"] == "pending"
    short = upload.json()["shortUrl"]
    assert urlsplit(short).path.startswith(PREFIX + "/a/")
    assert requests.get(short, allow_redirects=False, timeout=10).status_code == 409  # reached: not uploaded yet
