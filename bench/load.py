"""``make load``: how much traffic one deployment holds (Locust, headless).

Without a target it starts its own ``make run`` (fresh data, a free port, its
log in ``bench/results/load-server.log``); ``--target URL --key KEY`` (or
``make load CIM=<url> KEY=<admin key>``) loads any deployment instead. It
seeds ``--contacts`` callers through ``POST /contacts/bulk``, runs
``bench/locustfile.py`` with ``--users`` for ``--seconds``, then prints per
request kind: requests, failures, requests/s, p50 and p99, and (own server
only) the DynamoDB calls per request the server logged. Writes
``bench/results/load-latest.json``; exits 1 if any request failed.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
# The request kinds of the locustfile, and the route the server logs for each.
ROUTES = {"IVR lookup": "/contacts/lookup", "leg save": "/interactions/updateOrSaveInteractionTree/{call_Id}",
          "desk search": "/contacts", "contact create": "/saveContact"}


@contextmanager
def own_server(log_path: Path) -> Iterator[tuple[str, str]]:
    """``make run`` on a free port with fresh data: its URL and admin key."""
    import requests

    from devtools.emulator import free_port

    port, key = free_port(), "cim_load_" + secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # Throwaway data: no snapshot every few seconds (a whole-table copy that the deployment never makes).
    env |= {"PORT": str(port), "CIM_ADMIN_KEY": key, "CIM_DATA_DIR": tempfile.mkdtemp(prefix="cim-load-"),
            "PYTHONUNBUFFERED": "1", "CIM_SNAPSHOT_SECONDS": "3600"}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "devtools.local"], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if requests.get(url + "/health", timeout=1).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):  # not up yet, or slow to answer on a busy machine
                    time.sleep(0.2)
            else:
                raise SystemExit("the server did not start: see " + str(log_path))
            yield url, key
        finally:
            server.terminate()
            try:
                server.wait(timeout=45)
            except subprocess.TimeoutExpired:
                server.kill()


def seed(url: str, key: str, contacts: int) -> None:
    import requests

    from bench.load_people import seeded_contact

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    for start in range(0, contacts, 100):
        rows = [seeded_contact(n) for n in range(start, min(start + 100, contacts))]
        reply = session.post(f"{url}/contacts/bulk", json={"contacts": rows}, timeout=60)
        reply.raise_for_status()


def run_locust(url: str, key: str, users: int, seconds: int, contacts: int, prefix: Path) -> None:
    env = os.environ | {"CIM_LOAD_KEY": key, "CIM_LOAD_CONTACTS": str(contacts)}
    done = subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                           "--users", str(users), "--spawn-rate", str(max(1, users)), "--run-time", f"{seconds}s",
                           "--host", url, "--csv", str(prefix), "--only-summary", "--stop-timeout", "5",
                           "--loglevel", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)
    if not (prefix.parent / f"{prefix.name}_stats.csv").exists():
        raise SystemExit("locust did not run:\n" + done.stdout[-2000:] + done.stderr[-2000:])


def results(prefix: Path, server_log: Path | None) -> list[dict]:
    calls = _calls_per_route(server_log) if server_log else {}
    rows = []
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as stats:
        for row in csv.DictReader(stats):
            if row["Name"] == "Aggregated":
                continue
            route = ROUTES.get(row["Name"], "")
            rows.append({"request": row["Name"], "requests": int(row["Request Count"]),
                         "failures": int(row["Failure Count"]), "per_second": round(float(row["Requests/s"]), 1),
                         "p50_ms": float(row["50%"]), "p99_ms": float(row["99%"]),
                         "dynamodb_calls": calls.get(route)})
    return rows


def _calls_per_route(server_log: Path) -> dict[str, dict[str, float]]:
    """DynamoDB calls per request of each route, from the server's request
    log: the mean, the typical (median) and the most. A request now and then
    makes one more read than the typical one: the schema, cached for
    ``CIM_CACHE_SECONDS`` per container, is read again once that has passed."""
    seen: dict[str, list[int]] = {}
    for line in server_log.read_text(errors="replace").splitlines():
        start = line.find('{"level"')
        if start < 0 or '"dynamodbCalls"' not in line:
            continue
        entry = json.loads(line[start:])
        seen.setdefault(entry.get("route", ""), []).append(entry["dynamodbCalls"])
    return {route: {"mean": round(statistics.mean(counts), 1), "median": statistics.median(counts), "max": max(counts)}
            for route, counts in seen.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="simultaneous simulated clients (20)")
    parser.add_argument("--seconds", type=int, default=60, help="how long to load (60)")
    parser.add_argument("--contacts", type=int, default=500, help="callers seeded before the load (500)")
    parser.add_argument("--target", help="a deployment's base URL (default: start a fresh make run)")
    parser.add_argument("--key", help="an admin key of --target")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    prefix = Path(tempfile.mkdtemp(prefix="cim-load-csv-")) / "load"
    log_path = RESULTS / "load-server.log"
    if args.target:
        if not args.key:
            raise SystemExit("--target needs --key (an admin key of that deployment)")
        seed(args.target, args.key, args.contacts)
        run_locust(args.target.rstrip("/"), args.key, args.users, args.seconds, args.contacts, prefix)
        rows = results(prefix, None)
    else:
        with own_server(log_path) as (url, key):
            seed(url, key, args.contacts)
            run_locust(url, key, args.users, args.seconds, args.contacts, prefix)
        rows = results(prefix, log_path)
    report = {"when": time.strftime("%Y-%m-%d %H:%M"), "users": args.users, "seconds": args.seconds,
              "contacts": args.contacts, "target": args.target or "make run (this machine)", "requests": rows}
    (RESULTS / "load-latest.json").write_text(json.dumps(report, indent=2))
    print(f"\n{args.users} users for {args.seconds} s against {report['target']} ({args.contacts} callers seeded)\n")
    print(f"{'request':<16}{'requests':>9}{'failures':>9}{'per s':>8}{'p50 ms':>8}{'p99 ms':>8}  DynamoDB calls")
    for row in rows:
        calls = "" if row["dynamodb_calls"] is None else "{mean:.1f} (typical {median:g}, most {max})".format(
            **row["dynamodb_calls"])
        print(f"{row['request']:<16}{row['requests']:>9}{row['failures']:>9}{row['per_second']:>8.1f}"
              f"{row['p50_ms']:>8.0f}{row['p99_ms']:>8.0f}  {calls}")
    total = sum(r["requests"] for r in rows)
    failed = sum(r["failures"] for r in rows)
    print(f"\nall: {total} requests, {failed} failed, {sum(r['per_second'] for r in rows):.1f} per second")
    return 1 if failed or not total else 0


if __name__ == "__main__":
    sys.exit(main())
