"""A burst of changes through the outbound events (part of ``make bench``;
alone: ``python -m bench.events``).

BENCH_EVENTS contacts (1,000) are created through the API; then the table's
stream is handed to the stream function as Lambda's event source mapping
would, which signs and POSTs each event to a receiver on this machine. The
baseline, in the same run: the same number of bare POSTs of the same size to
the same receiver (what delivery costs without the service). The receiver
answers in BENCH_TARGET_MS (20), as a real target takes its time; the burst
runs with one lane (contact) in flight at a time and with eight. Reported:
events/s both ways and their ratio, and each event's delivery latency (from
the moment the whole burst waits in the stream to its arrival) p50/p99.
"""
from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ADMIN = "bench-admin-key-0123456789"


class _Receiver:
    def __init__(self, answer_seconds: float) -> None:
        self.answer_seconds = answer_seconds
        self.arrived: list[tuple[float, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                data = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.answer_seconds)  # a real target takes its time
                receiver.arrived.append((time.time(), data))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def measure(count: int, lanes_at_once: int, answer_ms: float) -> dict[str, Any]:
    """The burst, in-process over moto (as the api tests run)."""
    os.environ |= {"CIM_WEBHOOK_LANES_AT_ONCE": str(lanes_at_once), "CIM_WEBHOOK_ALLOW_LOOPBACK": "1", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "CIM_TABLE_NAME": "cim-bench-events",
                   "CIM_ADMIN_KEY": ADMIN, "CIM_SIGNING_SECRET": "bench-signing-secret-0123456789abcdefghij"}
    from chalice.test import Client
    from moto import mock_aws

    from bench.run import percentile
    from chalicelib.core.settings import get_settings
    from chalicelib.store import aws
    from devtools.bootstrap import ensure_all
    from devtools.emulator import scale_like_dynamodb
    from devtools.triggers import TableStream, pump

    get_settings.cache_clear()
    aws.reset_clients()
    scale_like_dynamodb()
    receiver = _Receiver(answer_ms / 1000)
    with mock_aws():
        ensure_all()
        from app import app

        with Client(app, stage_name="local") as client:
            auth = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"}
            made = client.http.post("/webhooks", headers=auth,
                                    body=json.dumps({"url": receiver.url, "events": ["contact.*"]}))
            assert made.status_code == 201, made.body
            stream = TableStream(get_settings().table_name)
            pump(app, stream)
            for n in range(count):
                client.http.post("/saveContact", headers=auth, body=json.dumps(
                    {"first_name": f"Burst{n}", "phone1": f"+1 212 555 {n % 10000:04d}"}))
        started, burst = time.perf_counter(), time.time()
        pump(app, stream)
        seconds = time.perf_counter() - started
    events = [(at, json.loads(data)) for at, data in receiver.arrived]
    # From the moment the burst's changes were all waiting in the stream to each one's arrival.
    latencies = [(at - burst) * 1000 for at, _ in events]
    sample = receiver.arrived[0][1] if receiver.arrived else b"{}"
    bare_started = time.perf_counter()
    for _ in range(count):
        request = urllib.request.Request(receiver.url, data=sample, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            reply.read()
    bare = time.perf_counter() - bare_started
    receiver.server.shutdown()
    return {"lanes_at_once": lanes_at_once, "target_answers_in_ms": answer_ms, "events": len(events), "seconds": round(seconds, 2), "events_per_s": round(len(events) / seconds, 1),
            "bare_posts_per_s": round(count / bare, 1), "ratio": round(bare / seconds, 2),
            "latency_ms_p50": round(percentile(latencies, 0.5), 1),
            "latency_ms_p99": round(percentile(latencies, 0.99), 1)}


def main() -> int:
    import logging

    logging.getLogger("cim.requests").setLevel(logging.WARNING)
    count, answer_ms = int(os.environ.get("BENCH_EVENTS", "1000")), float(os.environ.get("BENCH_TARGET_MS", "20"))
    report = [measure(count, lanes, answer_ms) for lanes in (1, 8)]
    for row in report:
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
