"""``make bench``: how fast the hot paths are, beside what the bare boto3 calls
they need cost against the same emulator in the same run.

Prints a table and writes ``bench/results/latest.json``. Timings here are
noisy (a shared 2-core machine, an emulator in the same process tree): read
the ratios, not the milliseconds. Scale with BENCH_TIERS (default
1000,3000,10000: the emulator's Query walks its whole table, so a 100k tier
takes most of an hour there), BENCH_REPEAT (at most 200 samples, fewer on
big tiers) and BENCH_IMPORT_ROWS (500).

Reads run against a table seeded to each tier; writes (leg saves, the import)
against a second, small table: the emulator copies a whole table on every
TransactWriteItems, so its transaction cost grows with the table, which
DynamoDB's does not.
"""
from __future__ import annotations

import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TABLE, WRITES, IMPORTS = "cim-bench", "cim-bench-writes", "cim-bench-import"
ADMIN = "bench-admin-key-0123456789"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    for _ in range(5):
        fn()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {"p50": statistics.median(samples), "p99": percentile(samples, 0.99)}


def start_emulator() -> Any:
    from chalicelib.tools.emulator import start_server

    server = start_server()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      CIM_TABLE_NAME=TABLE, CIM_BUCKET_NAME="cim-bench", CIM_ADMIN_KEY=ADMIN)
    return server


def contact_items(n: int) -> list[dict[str, Any]]:
    """What a stored contact is, built the way the store builds it."""
    from chalicelib.store import contacts as store
    from chalicelib.store.codec import serialize

    doc = {"id": f"{n:032X}", "first_name": f"Bench{n}", "last_name": "Virtanen", "phone1": f"+1 212 {n:07d}",
           "account_no": f"AC-{n}", "normalized": {"phone1": f"+1212{n:07d}"},
           "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z"}
    terms = [store.Term("phone", f"+1212{n:07d}"), store.Term("attr:account_no", f"ac-{n}"),
             store.Term("name", f"bench{n}"), store.Term("name", "virtanen")]
    items = [store._contact_item(doc, 1, terms)]
    items += [store._index_key(t, doc["id"]) | {"id": doc["id"]} | ({"words": [f"bench{n}", "virtanen"]}
              if t.kind == "name" and t.value != "virtanen" else {}) for t in terms if t.value != "virtanen"]
    return [serialize(i) for i in items]


def table() -> str:
    return os.environ["CIM_TABLE_NAME"]


def use_table(name: str) -> None:
    """Point the service at another table (and forget what it cached)."""
    from chalicelib.services.cache import invalidate_all
    from chalicelib.settings import get_settings
    from chalicelib.store.bootstrap import ensure_table

    os.environ["CIM_TABLE_NAME"] = name
    get_settings.cache_clear()
    invalidate_all()
    ensure_table()


def batch_write(client: Any, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        request = {table(): [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}


def main() -> int:
    tiers = [int(t) for t in os.environ.get("BENCH_TIERS", "1000,3000,10000").split(",")]
    repeat = int(os.environ.get("BENCH_REPEAT", "200"))
    import_rows = int(os.environ.get("BENCH_IMPORT_ROWS", "500"))
    server = start_emulator()
    try:
        return _run(tiers, repeat, import_rows)
    finally:
        server.stop()


def _run(tiers: list[int], repeat: int, import_rows: int) -> int:
    import boto3
    from chalice.test import Client

    from app import app
    from chalicelib.store import aws
    from chalicelib.store.bootstrap import ensure_all

    ensure_all()
    raw = boto3.client("dynamodb")
    client = Client(app, stage_name="local")
    auth = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"}

    def call(method: str, path: str, body: Any = None) -> Any:
        reply = client.http.request(method, path, body=json.dumps(body) if body is not None else None, headers=auth)
        assert reply.status_code < 300, (path, reply.status_code, reply.body[:200])
        return reply

    call("POST", "/saveSchema", {"label": "Account", "key": "account_no", "type": "text", "searchable": True})
    call("POST", "/mapping", {"key": "account_no", "varNumber": 3})
    rows: list[dict[str, Any]] = []
    seeded = 0
    probe = 7  # the contact every lookup looks for

    def raw_lookup(pk: str, capacity: bool = False) -> dict[str, float]:
        reply = raw.query(TableName=table(), KeyConditionExpression="PK = :pk", ConsistentRead=True,
                          ExpressionAttributeValues={":pk": {"S": pk}}, Limit=26,
                          ReturnConsumedCapacity="TOTAL" if capacity else "NONE")
        keys = [{"PK": {"S": f"CONTACT#{i['id']['S']}"}, "SK": {"S": "CONTACT"}} for i in reply["Items"]]
        got = raw.batch_get_item(RequestItems={table(): {"Keys": keys, "ConsistentRead": True}},
                                 ReturnConsumedCapacity="TOTAL" if capacity else "NONE")
        used = sum(c.get("CapacityUnits", 0) for c in [reply.get("ConsumedCapacity", {})]
                   + got.get("ConsumedCapacity", []))
        return {"rcu": used}

    for tier in tiers:
        batch_write(raw, [i for n in range(seeded, tier) for i in contact_items(n)])
        seeded = tier
        ops = {
            "lookup by ANI": (lambda: call("POST", "/contacts/lookup", {"ani": f"+1 212 {probe:07d}"}),
                              lambda: raw_lookup(f"IDX#phone#+1212{probe:07d}")),
            "lookup by call variable": (
                lambda: call("POST", "/contacts/lookup", {"callVariables": {"callVariable3": f"AC-{probe}"}}),
                lambda: raw_lookup(f"IDX#attr:account_no#ac-{probe}")),
        }
        samples = max(10, min(repeat, 200_000 // tier))  # big tiers are slow in the emulator
        for name, (ours, base) in ops.items():
            rows.append(_compare(name, tier, "in-process", ours, base, samples, aws))

    samples = max(10, min(repeat, 200_000 // seeded))
    rows.append(_compare("name search", seeded, "in-process",
                         lambda: call("GET", f"/contacts/getContactByName/bench{probe}%20virt"),
                         lambda: raw_lookup("NAME#b"), samples, aws))
    capacity = raw_lookup(f"IDX#phone#+1212{probe:07d}", capacity=True)["rcu"]
    rows += _over_http(samples, probe, raw_lookup)

    # Writes, and the reads of what they wrote, on the small table.
    use_table(WRITES)
    batch_write(raw, [i for n in range(1000) for i in contact_items(n)])
    for i in range(20):
        call("POST", f"/interactions/updateOrSaveInteractionTree/BENCH-{i}",
             {"ani": f"+1 212 {probe:07d}", "interaction": {"leg_id": "L1", "type": "voice",
                                                           "start_time": f"2026-11-01T10:{i:02d}:00Z"}})
    contact_id = f"{probe:032X}"
    counter = iter(range(10**9))

    def base_history() -> None:
        reply = raw.query(TableName=table(), KeyConditionExpression="PK = :pk", ConsistentRead=True,
                          ExpressionAttributeValues={":pk": {"S": f"HIST#{contact_id}"}}, Limit=20,
                          ScanIndexForward=False)
        keys = [{"PK": {"S": f"CALL#{i['call_Id']['S']}"}, "SK": {"S": "CALL"}} for i in reply["Items"]]
        raw.batch_get_item(RequestItems={table(): {"Keys": keys, "ConsistentRead": True}})

    def base_leg() -> None:
        raw.get_item(TableName=table(), Key={"PK": {"S": "CALL#BENCH-0"}, "SK": {"S": "CALL"}}, ConsistentRead=True)
        n = next(counter)
        raw.transact_write_items(TransactItems=[{"Put": {"TableName": table(), "Item": {
            "PK": {"S": f"CALL#BASE-{n}"}, "SK": {"S": "CALL"}, "v": {"N": str(n)}},
            "ConditionExpression": "attribute_not_exists(PK)"}}])

    rows.append(_compare("history page", 1000, "in-process",
                         lambda: call("GET", f"/interactions/loadInteractions/{contact_id}?limit=20"),
                         base_history, repeat, aws))
    rows.append(_compare("leg save", 1000, "in-process",
                         lambda: call("POST", "/interactions/updateOrSaveInteractionTree/BENCH-0",
                                      {"interaction": {"leg_id": f"L{next(counter)}", "type": "voice"}}),
                         base_leg, min(repeat, 100), aws))
    use_table(IMPORTS)
    imports = _bulk_import(import_rows, raw)
    cold = _cold_start()
    report = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                         f"Python {platform.python_version()}", "when": time.strftime("%Y-%m-%d %H:%M"),
              "operations": rows, "lookup_read_units": capacity, "import": imports, "cold_start": cold}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    _print(report)
    return 0


def _compare(name: str, tier: int, where: str, ours: Callable, base: Callable, repeat: int, aws: Any) -> dict:
    ours()  # schema and rules cached, as in a warm Lambda
    aws.start_counting()
    ours()
    calls = aws.counted_calls()
    mine, bare = timed(ours, repeat), timed(base, repeat)
    return {"operation": name, "contacts": tier, "where": where, "p50_ms": round(mine["p50"], 2),
            "p99_ms": round(mine["p99"], 2), "baseline_p50_ms": round(bare["p50"], 2),
            "ratio": round(mine["p50"] / bare["p50"], 2), "dynamodb_calls": "+".join(calls) if calls else "-"}


def _over_http(repeat: int, probe: int, raw_lookup: Callable) -> list[dict]:
    import requests

    from chalicelib.tools.local import free_port

    port = free_port()
    env = os.environ | {"PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "chalicelib.tools.local"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {ADMIN}"
    try:
        for _ in range(200):
            try:
                if session.get(url + "/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        http = lambda: session.post(url + "/contacts/lookup", json={"ani": f"+1 212 {probe:07d}"}, timeout=10)
        mine = timed(http, repeat)
        bare = timed(lambda: raw_lookup(f"IDX#phone#+1212{probe:07d}"), repeat)
        return [{"operation": "lookup by ANI", "contacts": int(os.environ.get("BENCH_SEEDED", 0)) or None,
                 "where": "HTTP (chalice local)",
                 "p50_ms": round(mine["p50"], 2), "p99_ms": round(mine["p99"], 2),
                 "baseline_p50_ms": round(bare["p50"], 2), "ratio": round(mine["p50"] / bare["p50"], 2),
                 "dynamodb_calls": "Query+BatchGetItem"}]
    finally:
        server.terminate()
        server.wait(timeout=20)


def _bulk_import(rows: int, raw: Any) -> dict:
    from chalicelib.tools import transfer

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contacts.csv"
        with path.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["first_name", "last_name", "phone1", "email"])
            for n in range(rows):
                writer.writerow([f"Imp{n}", "Korhonen", f"+1 646 {n:07d}", f"imp{n}@example.com"])
        started = time.perf_counter()
        done = transfer.import_csv(path, {}, workers=1, out=open(os.devnull, "w"))
        ours = done.rows / (time.perf_counter() - started)
    # The baseline: the same items (contact, phone, e-mail and name entries) by raw BatchWriteItem.
    items = []
    for n in range(rows):
        items += [{k: v for k, v in i.items()} | {"PK": {"S": i["PK"]["S"].replace("CONTACT#", "RAW#")}}
                  for i in contact_items(10**8 + n)]
    started = time.perf_counter()
    batch_write(raw, items)
    baseline = rows / (time.perf_counter() - started)
    return {"rows": rows, "rows_per_s": round(ours, 1), "batch_write_rows_per_s": round(baseline, 1),
            "ratio": round(ours / baseline, 3), "rejected": done.rejected}


def _cold_start() -> dict:
    def median_import(code: str) -> float:
        samples = []
        for _ in range(5):
            out = subprocess.run([sys.executable, "-c", f"import time; t=time.perf_counter(); {code}; "
                                  "print(time.perf_counter()-t)"], cwd=ROOT, capture_output=True, text=True,
                                 check=True)
            samples.append(float(out.stdout.strip()) * 1000)
        return statistics.median(samples)

    app_ms = median_import("import app")
    bare_ms = median_import("import boto3, chalice, pydantic")
    zip_path = ROOT / "build" / "dev" / "sam" / "deployment.zip"
    if not zip_path.exists():
        subprocess.run([sys.executable, "-m", "chalicelib.tools.package", "--stage", "dev"], cwd=ROOT,
                       capture_output=True, env=os.environ | {"AWS_DEFAULT_REGION": "us-east-1"})
    size = zip_path.stat().st_size if zip_path.exists() else None
    return {"app_import_ms": round(app_ms, 1), "bare_imports_ms": round(bare_ms, 1),
            "ratio": round(app_ms / bare_ms, 2), "zip_bytes": size}


def _print(report: dict) -> None:
    print(f"\nMachine: {report['machine']}  ({report['when']})\n")
    print(f"{'operation':<26}{'contacts':>9}  {'where':<22}{'p50 ms':>8}{'p99 ms':>8}{'boto3 p50':>10}"
          f"{'ratio':>7}  DynamoDB calls")
    for row in report["operations"]:
        print(f"{row['operation']:<26}{row['contacts'] or '':>9}  {row['where']:<22}{row['p50_ms']:>8.2f}"
              f"{row['p99_ms']:>8.2f}{row['baseline_p50_ms']:>10.2f}{row['ratio']:>7.2f}  {row['dynamodb_calls']}")
    imp, cold = report["import"], report["cold_start"]
    print(f"\nlookup read units (Query + BatchGetItem, consistent): {report['lookup_read_units']}")
    print(f"import: {imp['rows']} rows, {imp['rows_per_s']} rows/s; raw BatchWriteItem {imp['batch_write_rows_per_s']}"
          f" rows/s; ratio {imp['ratio']}")
    print(f"cold start: import app {cold['app_import_ms']} ms; boto3+chalice+pydantic {cold['bare_imports_ms']} ms;"
          f" ratio {cold['ratio']}; zip {cold['zip_bytes']} bytes")


if __name__ == "__main__":
    sys.exit(main())
