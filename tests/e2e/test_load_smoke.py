"""`make load` for 20 seconds: Locust against a fresh `make run`, no request may fail."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.takes(29)
ROOT = Path(__file__).resolve().parents[2]


def test_twenty_seconds_of_a_contact_centers_load_without_a_failure():
    done = subprocess.run([sys.executable, "-m", "bench.load", "--users", "5", "--seconds", "20",
                           "--contacts", "100"], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((ROOT / "bench" / "results" / "load-latest.json").read_text())
    rows = {r["request"]: r for r in report["requests"]}
    assert set(rows) == {"IVR lookup", "leg save", "desk search", "contact create"}
    assert all(r["requests"] > 0 and r["failures"] == 0 for r in rows.values()), rows
    # The server's own log says what each kind cost: the budgets hold under load. Now and then a request
    # reads again what is cached for CIM_CACHE_SECONDS: a lookup the schema and the mapping rules, a create
    # the schema; never more.
    lookup, create = rows["IVR lookup"]["dynamodb_calls"], rows["contact create"]["dynamodb_calls"]
    assert lookup["median"] == 2 and lookup["max"] <= 2 + 2, lookup
    assert create["median"] == 2 and create["max"] <= 2 + 1, create
