"""`make run` as a developer lives with it: data and the admin key survive a
restart, a second server (or a test run) leaves the first one's tools
working, and a tool that cannot reach the data says why."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import start_server, stop_server

pytestmark = [pytest.mark.e2e, pytest.mark.takes(30)]
ROOT = Path(__file__).resolve().parents[2]


def tool(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CIM_"))}
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True,
                          timeout=60)


def test_data_and_the_admin_key_survive_a_restart_and_fresh_starts_empty(tmp_path):
    settings = {"CIM_DATA_DIR": str(tmp_path), "CIM_TABLE_NAME": "cim-e2e-restart", "CIM_ADMIN_KEY": "",
                "CIM_SNAPSHOT_SECONDS": "1"}
    first = start_server(settings)
    key = (tmp_path / "admin-key").read_text().strip()
    admin = {"Authorization": f"Bearer {key}"}
    try:
        requests.post(f"{first.url}/saveSchema", headers=admin, timeout=10,
                      json={"label": "Tier", "key": "tier", "type": "text"})
        made = requests.post(f"{first.url}/saveContact", headers=admin, timeout=10,
                             json={"first_name": "Kept", "phone1": "415-555-0133", "tier": "gold"}).json()
        agent = requests.post(f"{first.url}/keys", headers=admin, json={"name": "desk", "role": "agent"},
                              timeout=10).json()["key"]
    finally:
        stop_server(first)
    again = start_server(settings)
    try:
        assert (tmp_path / "admin-key").read_text().strip() == key  # the same key as before
        kept = requests.get(f"{again.url}/contacts/{made['id']}", headers=admin, timeout=10)
        assert kept.status_code == 200 and kept.json()["tier"] == "gold"
        found = requests.post(f"{again.url}/contacts/lookup", headers=admin, json={"ani": "4155550133"}, timeout=10)
        assert found.json()["match"] == "unique"
        assert requests.get(f"{again.url}/getContactList", timeout=10,
                            headers={"Authorization": f"Bearer {agent}"}).status_code == 200
    finally:
        stop_server(again)
    fresh = start_server(settings, args=("--fresh",))
    try:
        assert requests.get(f"{fresh.url}/contacts/{made['id']}", headers=admin, timeout=10).status_code == 404
    finally:
        stop_server(fresh)


def test_a_second_server_leaves_the_first_ones_tools_working(tmp_path):
    first = start_server({"CIM_DATA_DIR": str(tmp_path), "CIM_TABLE_NAME": "cim-e2e-first"})
    try:
        second = start_server({"CIM_DATA_DIR": str(tmp_path), "CIM_TABLE_NAME": "cim-e2e-second"})
        stop_server(second)
        port = first.url.rsplit(":", 1)[1]
        made = tool("devtools.keys", "--role", "ivr", "--name", "ivr-1", PORT=port, CIM_DATA_DIR=str(tmp_path))
        assert made.returncode == 0, made.stderr
        key = made.stderr.rsplit(": ", 1)[1].strip()
        assert requests.post(f"{first.url}/contacts/lookup", json={"ani": "1"}, timeout=10,
                             headers={"Authorization": f"Bearer {key}"}).status_code == 200
    finally:
        stop_server(first)


def test_a_tool_that_cannot_reach_the_data_says_why(tmp_path):
    no_server = tool("devtools.keys", "--role", "ivr", "--name", "x", PORT="9", CIM_DATA_DIR=str(tmp_path),
                     AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    assert no_server.returncode == 3 and "no `make run` is running on port 9" in no_server.stderr
    assert "Traceback" not in no_server.stderr
    unreachable = tool("devtools.keys", "--role", "ivr", "--name", "x", AWS_ENDPOINT_URL="http://127.0.0.1:9",
                       AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1",
                       AWS_MAX_ATTEMPTS="1")
    assert unreachable.returncode == 5 and "cannot reach http://127.0.0.1:9" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr


def test_missing_credentials_and_a_missing_table_have_their_own_answers(tmp_path):
    import json

    running = start_server({"CIM_DATA_DIR": str(tmp_path / "data"), "CIM_TABLE_NAME": "cim-e2e-tools"})
    try:
        record = json.loads((tmp_path / "data" / "servers" / f"{running.url.rsplit(':', 1)[1]}.json").read_text())
        nowhere = {"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                   "AWS_DEFAULT_REGION": "us-east-1", "CIM_DATA_DIR": str(tmp_path)}
        no_keys = tool("devtools.keys", "--role", "ivr", "--name", "x",
                       AWS_ENDPOINT_URL=record["AWS_ENDPOINT_URL"], **nowhere)
        assert no_keys.returncode == 4 and "no AWS credentials" in no_keys.stderr, no_keys.stderr
        no_table = tool("devtools.keys", "--role", "ivr", "--name", "x", AWS_ENDPOINT_URL=record["AWS_ENDPOINT_URL"],
                        AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", CIM_TABLE_NAME="no-such-table", **nowhere)
        assert no_table.returncode == 6 and "no table 'no-such-table'" in no_table.stderr, no_table.stderr
        assert "Traceback" not in no_keys.stderr + no_table.stderr
    finally:
        stop_server(running)
