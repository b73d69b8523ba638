"""The screen pop in a real headless browser: what an agent sees, and a
screenshot kept in tests/artifacts/."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def browse(url: str, screenshot: str | None = None) -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: `make test` installs Debian's chromium as root")
        pytest.skip("chromium is not installed (Debian package `chromium`)")
    with tempfile.TemporaryDirectory() as profile:
        flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=900,700"]
        if screenshot:
            ARTIFACTS.mkdir(exist_ok=True)
            subprocess.run(flags + [f"--screenshot={ARTIFACTS / screenshot}", url],
                           check=True, capture_output=True, timeout=60)
        done = subprocess.run(flags + ["--dump-dom", url], check=True, capture_output=True, timeout=60, text=True)
    return done.stdout


def link(server, **params) -> str:
    made = server("POST", "/screenpop/link", json=params)
    assert made.status_code == 200
    return made.json()["url"]


def test_an_agent_sees_the_callers_card(server):
    server("POST", "/saveSchema", json={"label": "Loyalty tier", "key": "loyalty", "type": "text"})
    made = server("POST", "/saveContact", json={
        "first_name": "Anneli", "last_name": "Söderberg", "phone1": "+1 415 555 0142",
        "email": "anneli@example.com", "loyalty": "gold <vip>"}).json()
    dom = browse(link(server, ani="4155550142"), screenshot="screenpop-card.png")
    assert "<h1>Anneli Söderberg</h1>" in dom
    assert "<dt>Loyalty tier</dt><dd>gold &lt;vip&gt;</dd>" in dom
    assert made["id"] in dom
    assert (ARTIFACTS / "screenpop-card.png").stat().st_size > 1000


def test_an_agent_sees_a_chooser_or_a_new_contact_form(server):
    for name in ("Parent", "Child"):
        server("POST", "/saveContact", json={"first_name": name, "phone1": "415-555-0166"})
    chooser = browse(link(server, ani="4155550166"), screenshot="screenpop-chooser.png")
    assert "Several contacts share this number" in chooser and chooser.count("contact_id=") == 2
    form = browse(link(server, ani="4155550165"), screenshot="screenpop-new.png")
    assert 'id="new-contact"' in form and 'value="4155550165"' in form
