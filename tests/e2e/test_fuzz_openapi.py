"""Schemathesis against the spec and the running server: no 5xx, and every
answer in a documented status, media type and shape. Every phase (examples,
coverage, fuzzing, stateful) and every check but one; bounded: 6 examples
an operation, a fixed seed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ADMIN_KEY

pytestmark = [pytest.mark.e2e, pytest.mark.takes(85)]
# Every check but one: the spec cannot say that a cursor must be one the
# server issued, nor rules across fields ("exactly one of phone, email or
# contact_id"), so some requests it allows are refused (a 400 naming why).
LEFT_OUT = "positive_data_acceptance"


def test_fuzzing_finds_no_server_error_and_no_undocumented_answer(server):
    st = Path(sys.executable).with_name("st")
    done = subprocess.run(
        [str(st), "run", f"{server.url}/openapi.json", "--url", server.url,
         "-H", f"Authorization: Bearer {ADMIN_KEY}", "--checks", "all", "--exclude-checks", LEFT_OUT,
         "--max-examples", "6", "--seed", "1",
         "--no-color"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
