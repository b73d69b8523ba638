"""End-to-end: the server started exactly as ``make run`` starts it, on a free
port, driven over real HTTP."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from devtools.emulator import free_port
from tests.conftest import ADMIN_KEY

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "tests" / "artifacts"


class Server:
    def __init__(self, base_url: str, process: subprocess.Popen, log_path: Path) -> None:
        self.url = base_url
        self.process = process
        self.log_path = log_path
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {ADMIN_KEY}"

    def __call__(self, method: str, path: str, **kwargs):
        return self.http.request(method, self.url + path, timeout=30, **kwargs)


def start_server(extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"PORT": str(port), "PYTHONUNBUFFERED": "1", "CIM_ADMIN_KEY": ADMIN_KEY,
            "CIM_DATA_DIR": tempfile.mkdtemp(prefix="cim-e2e-")} | (extra_env or {})
    # The server's output goes to a file: a pipe nobody reads would fill and
    # stall the server once its request logs pass the pipe's buffer.
    LOGS.mkdir(exist_ok=True)
    log_path = LOGS / f"server-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.local", *args], cwd=ROOT, env=env,
        stdout=log_path.open("w"), stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited:\n" + log_path.read_text())
        try:
            if requests.get(url + "/health", timeout=1).status_code == 200:
                return Server(url, process, log_path)
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or slow to answer on a busy machine
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not become healthy:\n" + log_path.read_text())


def stop_server(server: Server) -> int:
    """Stop as Ctrl-C does: the server keeps its data, then exits, printing
    how long each step took. A stop that hangs fails with the log's end."""
    server.process.send_signal(signal.SIGTERM)
    try:
        return server.process.wait(timeout=45)
    except subprocess.TimeoutExpired:
        pytest.fail("the server did not stop within 45 s:\n" + server.log_path.read_text()[-3000:])
    finally:
        if server.process.poll() is None:
            server.process.kill()


@pytest.fixture(scope="session")
def server():
    # As `make run OIDC=1`: the desk offers single sign-on through a local test provider, beside key sign-in.
    running = start_server({"CIM_TABLE_NAME": "cim-e2e", "CIM_DEFAULT_REGION": "US", "CIM_DESK_LIVE_SECONDS": "1"},
                           args=("--oidc",))
    yield running
    stop_server(running)
