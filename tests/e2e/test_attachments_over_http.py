"""A document uploaded through the presigned form opens through its short URL."""
from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.e2e


def test_upload_through_the_presigned_form_then_open_the_short_url(server):
    content = b"%PDF-1.4\n" + bytes(range(256)) * 40
    made = server("POST", "/s3attachments", json={
        "fileName": "Lasku_Söderberg.pdf", "mimeType": "application/pdf", "size": len(content)})
    assert made.status_code == 201
    created = made.json()
    code = created["shortUrl"].rsplit("/", 1)[1]
    assert created["shortUrl"] == f"{server.url}/a/{code}"

    assert server("GET", f"/a/{code}", allow_redirects=False).status_code == 409  # not uploaded yet

    form = created["upload"]
    sent = requests.post(form["url"], data=form["fields"],
                         files={"file": ("Lasku_Söderberg.pdf", content, "application/pdf")}, timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text

    info = server("GET", f"/attachments/{created['id']}").json()
    assert info["status"] == "stored" and info["size"] == len(content)

    redirect = requests.get(created["shortUrl"], allow_redirects=False, timeout=30)
    assert redirect.status_code == 302
    download = requests.get(redirect.headers["Location"], timeout=30)
    assert download.status_code == 200 and download.content == content
    shown = download.headers.get("Content-Disposition", "")
    assert shown.startswith("inline") and "Lasku_S%C3%B6derberg.pdf" in shown  # a PDF opens in the tab, named

    assert server("DELETE", f"/attachments/{created['id']}").json()["status"] == "revoked"
    assert requests.get(created["shortUrl"], allow_redirects=False, timeout=30).status_code == 410
