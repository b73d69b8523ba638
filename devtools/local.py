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
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
# What a console tool needs to reach the data of a running server.
SHARED_SETTINGS = ("AWS_ENDPOINT_URL", "CIM_TABLE_NAME", "CIM_BUCKET_NAME", "CIM_SIGNING_SECRET",
                   "CIM_DEFAULT_REGION", "CIM_PUBLIC_BASE_URL")


def data_dir() -> Path:
    """Where `make run` keeps what must outlive it (``CIM_DATA_DIR``, default ``.cim-local/``, git-ignored)."""
    folder = Path(os.environ.get("CIM_DATA_DIR") or PROJECT_DIR / ".cim-local")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _kept(name: str, make: str) -> str:
    """A value made once per data folder and kept in it (owner-only)."""
    path = data_dir() / name
    if not path.exists():
        path.write_text(make)
        path.chmod(0o600)
    return path.read_text().strip()


def signing_secret() -> str:
    """Links and cursors stay valid across restarts; no two folders share one."""
    return _kept("signing-secret", secrets.token_urlsafe(48))


def admin_key() -> str:
    """The development admin key: the same every time `make run` starts."""
    return _kept("admin-key", "cim_dev_" + secrets.token_urlsafe(24))


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


# Console tools' exit codes when the data cannot be reached, one a cause.
NO_SERVER, NO_CREDENTIALS, UNREACHABLE, NO_TABLE = 3, 4, 5, 6


FAILED = 1


def answering_in_words(command: str, run, attempts: int = 3) -> int:
    """Run a console command so that it ends with one line and an exit code,
    never a traceback: a table that is slow or throttling is tried again
    with backoff (the commands are safe to repeat: an import resumes, an
    export rewrites its file), bad input is named, a bug is named by its kind."""
    import time

    from pydantic import ValidationError

    from chalicelib.core.errors import DomainError, Unavailable
    from chalicelib.models.common import describe

    for attempt in range(attempts):
        try:
            return run()
        except Unavailable as error:
            if attempt + 1 < attempts:
                print(f"{command}: {error.message} (trying again)", file=sys.stderr)
                time.sleep(2 ** attempt)
                continue
            print(f"error: {command}: {error.message}; tried {attempts} times", file=sys.stderr)
            return UNREACHABLE
        except DomainError as error:
            print(f"error: {command}: {error.message}", file=sys.stderr)
            return FAILED
        except ValidationError as error:
            print(f"error: {command}: {describe(error)}", file=sys.stderr)
            return FAILED
        except (OSError, ValueError, UnicodeError) as error:
            print(f"error: {command}: {error}", file=sys.stderr)
            return FAILED
        except Exception as error:  # noqa: BLE001 - a console tool ends in words
            print(f"error: {command} stopped ({type(error).__name__}); please report it", file=sys.stderr)
            return FAILED
    return FAILED


def _stop_tool(code: int, message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def use_running_emulator() -> None:
    """Console commands run beside `make run`: reach the data of the server on
    ``PORT`` (or ``AWS_ENDPOINT_URL``, or your AWS account when no server is
    running), then check it answers; if not, one line saying why, and an
    exit code a cause."""
    import boto3

    found = running_server()
    if not os.environ.get("AWS_ENDPOINT_URL") and found:
        os.environ.update(found)
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    elif not os.environ.get("AWS_ENDPOINT_URL"):
        if boto3.session.Session().get_credentials() is None:
            _stop_tool(NO_SERVER, f"no `make run` is running on port {port()} (start one with `make run`, or set "
                                  "PORT to its port), and no AWS credentials are configured for your account")
        print(f"no `make run` on port {port()}: using your AWS account", file=sys.stderr)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    _check_reachable()


def _check_reachable() -> None:
    import boto3
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    from chalicelib.core.settings import Settings

    table = Settings.from_env(os.environ).table_name
    where = os.environ.get("AWS_ENDPOINT_URL") or f"AWS ({os.environ['AWS_DEFAULT_REGION']})"
    try:
        boto3.session.Session().client("dynamodb").describe_table(TableName=table)
    except NoCredentialsError:
        _stop_tool(NO_CREDENTIALS, "no AWS credentials: configure them (aws configure) or start `make run`")
    except EndpointConnectionError:
        _stop_tool(UNREACHABLE, f"cannot reach {where}: is the server on port {port()} still running?")
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "ResourceNotFoundException":
            _stop_tool(NO_TABLE, f"there is no table {table!r} at {where} (CIM_TABLE_NAME)")
        _stop_tool(NO_CREDENTIALS, f"{where} refused the credentials ({code})")


def _own_data_folder() -> Any:
    """A lock on the data folder's snapshot, held while this server runs
    (two servers writing one snapshot would undo each other); None if taken."""
    import fcntl

    handle = (data_dir() / "data.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aws", choices=("emulated", "real"), default="emulated",
                        help="'real': use AWS_ENDPOINT_URL or real AWS with your credentials")
    parser.add_argument("--fresh", action="store_true", help="start with no data (the emulation's snapshot is dropped)")
    parser.add_argument("--oidc", action="store_true",
                        help="single sign-on through a local test identity provider (oidc-provider-mock)")
    args = parser.parse_args(argv)
    on_port = port()
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("CIM_PUBLIC_BASE_URL", f"http://127.0.0.1:{on_port}")
    os.environ.setdefault("CIM_EVENT_BUS", "cim-events")
    os.environ.setdefault("CIM_WEBHOOK_ALLOW_LOOPBACK", "1")  # a receiver on this machine may be plain http
    os.environ.setdefault("CIM_METRICS", "0")  # the console is for people: no metric lines in it

    emulator = None
    if args.aws == "emulated" and not os.environ.get("AWS_ENDPOINT_URL"):
        from devtools.emulator import start_server

        emulator = start_server()
    if not os.environ.get("CIM_SIGNING_SECRET"):
        os.environ["CIM_SIGNING_SECRET"] = signing_secret()
    if not os.environ.get("CIM_ADMIN_KEY"):
        os.environ["CIM_ADMIN_KEY"] = admin_key()
        print(f"Development admin key (set CIM_ADMIN_KEY to choose your own): {os.environ['CIM_ADMIN_KEY']}")
    from devtools.bootstrap import ensure_all

    ensure_all()
    snapshots = None
    owner = _own_data_folder() if emulator is not None else None
    if emulator is not None and owner is None:
        print(f"Another make run keeps its data in {data_dir()}: this one's data lasts until it stops", flush=True)
    if owner is not None:  # the embedded emulation keeps its data in memory: keep it on disk too
        from chalicelib.core.settings import Settings
        from devtools.snapshot import Snapshots

        settings = Settings.from_env(os.environ)
        snapshots = Snapshots(data_dir() / "data", settings.table_name, settings.bucket_name)
        if args.fresh:
            shutil.rmtree(data_dir() / "data", ignore_errors=True)
        restored = snapshots.restore()
        print(f"Data: {data_dir() / 'data'} ({restored} items restored; FRESH=1 starts empty)", flush=True)
        snapshots.start()
    # `make key`, `make invoke` (other processes) find this server's data here while it runs.
    record = server_record(on_port)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({k: os.environ[k] for k in SHARED_SETTINGS if k in os.environ}))
    record.chmod(0o600)
    if args.oidc:
        start_identity_provider()
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
        code = wait_for(child)
    except KeyboardInterrupt:
        pass
    finally:
        _stop_everything(child, record, snapshots, emulator)
    return code


# The test identity provider's people: agent, admin, and one in no desk group.
TEST_AGENTS = {
    "agent@example.com": {"name": "Alex Agent", "email": "agent@example.com", "groups": ["cc-agents"]},
    "admin@example.com": {"name": "Ada Admin", "email": "admin@example.com", "groups": ["cc-admins"]},
    "visitor@example.com": {"name": "Val Visitor", "email": "visitor@example.com", "groups": ["marketing"]},
}


def start_identity_provider() -> Any:
    """``make run OIDC=1``: oidc-provider-mock on a free port of this machine
    (its sign-in form takes any user; the three above have their groups) and
    the desk set up for it, as a company's provider would be."""
    import oidc_provider_mock
    from werkzeug.serving import make_server

    from devtools.emulator import free_port

    provider = oidc_provider_mock.app(require_nonce=True, user_claims=[
        oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in TEST_AGENTS.items()])
    server = make_server("127.0.0.1", free_port(), provider, threaded=True)
    threading.Thread(target=server.serve_forever, name="identity-provider", daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_port}"
    os.environ |= {"CIM_OIDC_ISSUER": issuer, "CIM_OIDC_CLIENT_ID": "cim-desk",
                   "CIM_OIDC_CLIENT_SECRET": "local-test-provider-secret", "CIM_OIDC_ROLE_CLAIM": "groups",
                   "CIM_OIDC_ROLES": "cc-agents=agent,cc-admins=admin"}
    print(f"Identity provider (test) on {issuer}: sign in as {', '.join(TEST_AGENTS)}", flush=True)
    return server


def wait_for(child: subprocess.Popen) -> int:
    """The child's exit code, waking every half second. Never one blocking
    wait: the kernel may hand SIGTERM to any of this process's threads (the
    emulation's, the snapshots'), and CPython runs signal handlers only in
    the main thread, which a blocking waitpid() would keep from ever doing so."""
    while True:
        try:
            return child.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            continue


def _stop_everything(child: subprocess.Popen, record: Path, snapshots: Any, emulator: Any) -> None:
    """Stop the API, keep the data, stop the emulation; each step timed on
    the console so that a slow stop says which step was slow."""
    started = time.monotonic()
    print("Stopping: the API first", flush=True)
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    record.unlink(missing_ok=True)
    api_stopped = time.monotonic()
    print(f"Stopping: API stopped in {api_stopped - started:.1f} s; keeping the data", flush=True)
    if snapshots is not None:
        snapshots.stop()
    saved = time.monotonic()
    print(f"Stopping: data kept in {saved - api_stopped:.1f} s; the emulation last", flush=True)
    if emulator is not None:
        # moto's server joins its serving thread, which can wait on a request
        # still open: give it 10 s, then leave (the process ends it anyway).
        stopping = threading.Thread(target=emulator.stop, name="emulation-stop", daemon=True)
        stopping.start()
        stopping.join(timeout=10)
    print(f"Stopped: API {api_stopped - started:.1f} s, data kept {saved - api_stopped:.1f} s, "
          f"emulation {time.monotonic() - saved:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
