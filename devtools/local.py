"""``make run``: the API on http://127.0.0.1:$PORT over an embedded AWS emulation.

1. Unless ``AWS_ENDPOINT_URL`` is set (another emulator) or ``--aws real`` is
   given, start moto's server in this process on a free loopback port
   (``emulator.py``) and point ``AWS_ENDPOINT_URL`` at it.
2. Create the table and the bucket if they are missing.
3. Run ``chalice local --stage local`` as a child process with this
   environment (every ``CIM_*`` variable passes through).
4. On Ctrl-C or SIGTERM stop the child, then the emulator.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
# What a console tool needs to reach the data of a running server.
SHARED_SETTINGS = ("AWS_ENDPOINT_URL", "CIM_TABLE_NAME", "CIM_BUCKET_NAME", "CIM_SIGNING_SECRET",
                   "CIM_DEFAULT_REGION", "CIM_PUBLIC_BASE_URL")


def data_dir() -> Path:
    """Where `make run` keeps what must outlive it (``CIM_DATA_DIR``, default ``.cim-local/``, git-ignored)."""
    folder = Path(os.environ.get("CIM_DATA_DIR") or PROJECT_DIR / ".cim-local")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def signing_secret() -> str:
    """A random signing secret made once per data folder: links and cursors
    stay valid across restarts, and no two folders share one."""
    path = data_dir() / "signing-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def port() -> int:
    return int(os.environ.get("PORT") or 8000)


def server_record(on_port: int) -> Path:
    """Where the server on ``on_port`` says how to reach its data: one file a
    port, so a second server (or a test run) never removes another's."""
    return data_dir() / "servers" / f"{on_port}.json"


def running_server(on_port: int | None = None) -> dict[str, str] | None:
    """The settings of the `make run` on ``on_port`` (default ``PORT``), or None."""
    path = server_record(on_port or port())
    return json.loads(path.read_text()) if path.exists() else None


def use_running_emulator() -> None:
    """Console commands run beside `make run`: reach the data of the server on
    ``PORT``, unless AWS_ENDPOINT_URL (or real AWS credentials) say otherwise."""
    found = running_server()
    if not os.environ.get("AWS_ENDPOINT_URL") and found:
        os.environ.update(found)
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aws", choices=("emulated", "real"), default="emulated",
                        help="'real': use AWS_ENDPOINT_URL or real AWS with your credentials")
    args = parser.parse_args(argv)
    on_port = port()
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("CIM_PUBLIC_BASE_URL", f"http://127.0.0.1:{on_port}")

    emulator = None
    if args.aws == "emulated" and not os.environ.get("AWS_ENDPOINT_URL"):
        from devtools.emulator import start_server

        emulator = start_server()
    if not os.environ.get("CIM_SIGNING_SECRET"):
        os.environ["CIM_SIGNING_SECRET"] = signing_secret()
    if not os.environ.get("CIM_ADMIN_KEY"):
        os.environ["CIM_ADMIN_KEY"] = "cim_dev_" + secrets.token_urlsafe(24)
        print(f"Development admin key (set CIM_ADMIN_KEY to choose your own): {os.environ['CIM_ADMIN_KEY']}")
    from devtools.bootstrap import ensure_all

    ensure_all()
    # `make key`, `make invoke` (other processes) find this server's data here while it runs.
    record = server_record(on_port)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({k: os.environ[k] for k in SHARED_SETTINGS if k in os.environ}))
    record.chmod(0o600)
    where = os.environ.get("AWS_ENDPOINT_URL", "AWS")
    child = subprocess.Popen(
        [sys.executable, "-m", "devtools.serve",
         "local", "--stage", "local",
         "--host", "127.0.0.1", "--port", str(on_port), "--no-autoreload"],
        cwd=PROJECT_DIR, env=os.environ.copy(),
    )
    print(f"CIM API on http://127.0.0.1:{on_port} (data: {where}); Ctrl-C stops it", flush=True)

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        code = child.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        record.unlink(missing_ok=True)
        if emulator is not None:
            emulator.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
