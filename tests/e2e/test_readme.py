"""The README and the reference run: every shell block of the README's tour
("Try it") and then of the reference pages that have examples is executed,
in order, in one shell, as a reader would paste them,
against a fresh server. A curl answer of 4xx/5xx fails the block (the test's
curl adds ``--fail-with-body``); placeholders are filled the way the README
tells a reader to (the admin key, the server's address, the files a reader
brings)."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ADMIN_KEY
from tests.e2e.conftest import start_server, stop_server

pytestmark = [pytest.mark.e2e, pytest.mark.takes(17)]
ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("Makefile", "pyproject.toml", "requirements.txt", ".venv", "app.py", "chalicelib", "devtools", "events",
           ".chalice")


# The pages with examples, in the order a reader following the tour goes on.
PAGES = ("api.md", "desk.md", "sync.md", "connect.md", "events.md", "privacy.md")


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    runnable = [text[text.index("## Try it"):text.index("## Read on")]]
    runnable += [(ROOT / "docs" / page).read_text() for page in PAGES]
    return [block for part in runnable for block in re.findall(r"```sh\n(.*?)```", part, re.S)]


def test_the_readmes_examples_run_as_written(tmp_path):
    blocks = readme_blocks()
    assert len(blocks) >= 10
    # Installed from the real checkout first, so the make targets the README runs from the reader's
    # copy (symlinks to it) find the install current and never reinstall from the copy.
    subprocess.run(["make", "install"], cwd=ROOT, check=True, capture_output=True)
    data = tmp_path / "data"
    server = start_server({"CIM_TABLE_NAME": "cim-e2e-readme", "CIM_RCI_WEBHOOK_SECRET": "your-webhook-secret",
                           "CIM_DATA_DIR": str(data)})
    try:
        # The reader's working copy (make targets run from it); the examples make the files they read.
        work = tmp_path / "work"
        work.mkdir()
        for name in PROJECT:
            (work / name).symlink_to(ROOT / name)
        shim = tmp_path / "bin"
        shim.mkdir()
        (shim / "curl").write_text('#!/bin/sh\nexec /usr/bin/curl --fail-with-body "$@"\n')
        (shim / "curl").chmod(0o755)
        port = server.url.rsplit(":", 1)[1]
        script = ["shopt -s expand_aliases", "set -eo pipefail"]
        for number, block in enumerate(blocks, 1):
            block = block.replace("cim_dev_...", ADMIN_KEY).replace("http://127.0.0.1:8000", server.url)
            script += [f"echo '### README block {number}' >&2", block]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CIM_"))}
        env |= {"PATH": f"{shim}:{env['PATH']}", "PORT": port, "CIM_DATA_DIR": str(data)}
        done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-2000:]
        assert done.stderr.count("### README block") == len(blocks)
        assert (work / "copy.pdf").read_bytes() == (work / "invoice.pdf").read_bytes()
        assert "Mia" not in (work / "contacts.csv").read_text() and "***" in (work / "contacts.csv").read_text()
        assert "Mia" in (work / "everything.csv").read_text()  # personal fields only when asked for
    finally:
        stop_server(server)
