"""``make bench``: how fast the hot paths are, each beside the bare boto3 calls
it needs, timed against the same emulator in the same run.

1. The emulator (moto, scaled like DynamoDB: ``devtools/emulator.py``)
   runs in a process of its own.
2. People are drawn with real name frequencies (Faker's weighted lists of
   ten locales). The first tier arrives the way a customer's contacts do: a
   generated CSV file imported with ``cim import``; its rows/s are compared
   with raw BatchWriteItem calls putting the very same items into another
   table, with as many writers. The next tiers (9k more, then 90k more) are
   the service's own items, built by its code in BENCH_WORKERS processes
   and put into the emulation inside its process (``_load``): minutes where
   the import would take an hour. After each tier the lookups and the name
   search (the commonest first name and last name's beginning) are timed
   in-process, so their cost can be compared across table sizes.
3. At the largest tier, every operation is timed in-process
   (``chalice.test.Client``) and over HTTP (``chalice local``).
4. Outbound events: a burst of changes delivered to a webhook (``bench/events.py``).
5. Cold start: importing the app in a fresh interpreter beside importing
   boto3, chalice and pydantic alone; the deployment zip's size.

Prints a table and writes ``bench/results/latest.json``. Timings here are
noisy (a shared machine): read the ratios (ours / bare calls, same run), not
the milliseconds. Settings: BENCH_TIERS (1000,10000,100000), BENCH_REPEAT
(samples per operation at most, 200; slow ones get fewer, at least 30),
BENCH_WORKERS (import writers, 4), BENCH_BASELINE_ROWS (20000).
"""
from __future__ import annotations

import csv
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TABLE, RAW_TABLE = "cim-bench", "cim-bench-raw"
ADMIN = "bench-admin-key-0123456789"
PROBE = 7  # the contact every lookup looks for
SECONDS_PER_OPERATION = 8.0


_drawn: list[tuple[str, str]] = []
_faker: list[Any] = []


def name_of(n: int) -> tuple[str, str]:
    """Person ``n``'s first and last name, drawn with real frequencies
    (Faker's weighted lists of several locales, as ``bench/partitions.py``):
    the same every run, so a common name is as common as in life."""
    if not _faker:
        from faker import Faker

        from bench.partitions import LOCALES

        _faker.append(Faker(list(LOCALES)))
        _faker[0].seed_instance(2026)
    while len(_drawn) <= n:
        _drawn.append((_faker[0].first_name(), _faker[0].last_name()))
    return _drawn[n]


def person(n: int) -> list[str]:
    """Row ``n`` of the generated CRM export: first, last, phone, account.
    One row in 10,000 has a phone that is not one, as real exports do."""
    phone = "call me" if n % 10_000 == 9_999 else f"+1 212 {200 + n // 10000:03d} {n % 10000:04d}"
    return [*name_of(n), phone, f"AC-{n:06d}"]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed_pair(ours: Callable[[], Any], bare: Callable[[], Any], repeat: int) -> tuple[dict, dict]:
    """p50/p99 (ms) of each, sampled alternately so that drift on a shared
    machine (the emulator's garbage collector, other load) hits both alike.
    At most ``repeat`` pairs, fewer (not under 30) for slow operations so
    that one takes about ``SECONDS_PER_OPERATION``."""
    started = time.perf_counter()
    for _ in range(5):
        ours(), bare()  # warm caches and connections
    pair_seconds = (time.perf_counter() - started) / 5
    repeat = max(30, min(repeat, int(SECONDS_PER_OPERATION / pair_seconds)))
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, into in ((ours, samples[0]), (bare, samples[1])):
            start = time.perf_counter()
            fn()
            into.append((time.perf_counter() - start) * 1000)
    return tuple({"p50": statistics.median(s), "p99": percentile(s, 0.99)} for s in samples)


class Emulator:
    """moto in a child process (its own interpreter lock), scaled like DynamoDB."""

    def __init__(self) -> None:
        import requests

        from devtools.emulator import free_port

        port = free_port()
        self.process = subprocess.Popen([sys.executable, "-m", "devtools.emulator", str(port)], cwd=ROOT)
        os.environ.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="bench",
                          AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1", CIM_TABLE_NAME=TABLE,
                          CIM_BUCKET_NAME="cim-bench", CIM_ADMIN_KEY=ADMIN,
                          CIM_SIGNING_SECRET=secrets.token_urlsafe(48))
        for _ in range(300):
            try:
                requests.get(os.environ["AWS_ENDPOINT_URL"] + "/moto-api/", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the emulator did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a large table's emulation may not stop in time: the results are kept
            self.process.kill()
            self.process.wait(timeout=10)


def main() -> int:
    import logging

    tiers = [int(t) for t in os.environ.get("BENCH_TIERS", "1000,10000,100000").split(",")]
    repeat = int(os.environ.get("BENCH_REPEAT", "200"))
    workers = int(os.environ.get("BENCH_WORKERS", "4"))
    baseline_rows = int(os.environ.get("BENCH_BASELINE_ROWS", "20000"))
    logging.getLogger("cim.requests").setLevel(logging.WARNING)  # one line per request is noise here
    os.environ.setdefault("CIM_METRICS", "off")  # as `make run`: no metric line per request on stdout
    emulator = Emulator()
    try:
        return _run(tiers, repeat, workers, baseline_rows)
    finally:
        emulator.stop()


def _run(tiers: list[int], repeat: int, workers: int, baseline_rows: int) -> int:
    began = time.perf_counter()
    import boto3
    from chalice.test import Client

    from app import app
    from devtools.bootstrap import ensure_all

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
    ops = Operations(call, raw, lambda function, event: client.lambda_.invoke(function, event).payload)
    rows: list[dict] = []
    imported = {"rows": 0, "seconds": 0.0, "rejected": 0}
    seeded = 0
    loaded = {"rows": 0, "seconds": 0.0, "rejected": 0}
    with tempfile.TemporaryDirectory() as folder:
        for tier in tiers:
            if seeded == 0:  # the first tier comes the way a customer's contacts do: the import row
                _import(Path(folder) / f"contacts-{tier}.csv", seeded, tier, workers, imported)
            else:
                _load(Path(folder), seeded, tier, workers, loaded)
            seeded = tier
            for name in ("lookup by ANI", "lookup by call variable", "flat IVR lookup", "Connect flow lookup",
                         "name search", "name search, one word"):
                rows.append(ops.compare(name, tier, "in-process", ops.ours[name], repeat))
        for name in ("history page", "leg save", "contact create"):
            rows.append(ops.compare(name, seeded, "in-process", ops.ours[name], repeat))
        rows += _over_http(ops, seeded, repeat)
        baseline_rows = min(baseline_rows, imported["rows"])
        baseline = _raw_import_rate(raw, baseline_rows, workers)
    imports = {"loaded_rows": loaded["rows"], "loaded_rows_per_s": round(loaded["rows"] / loaded["seconds"], 1)
               if loaded["seconds"] else None,
               "rows": imported["rows"], "workers": workers, "rejected": imported["rejected"],
               "reason": imported.get("reason"),
               "baseline_rows": baseline_rows,
               "rows_per_s": round(imported["rows"] / imported["seconds"], 1),
               "batch_write_rows_per_s": round(baseline, 1),
               "ratio": round(imported["rows"] / imported["seconds"] / baseline, 2)}
    report = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                         f"Python {platform.python_version()}", "when": time.strftime("%Y-%m-%d %H:%M"),
              "operations": rows, "import": imports, "cold_start": _cold_start(), "events": _event_burst()}
    report["bench_seconds"] = round(time.perf_counter() - began)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    _print(report)
    return 0


class Operations:
    """Each operation as the service runs it, and the bare calls it needs."""

    def __init__(self, call: Callable, raw: Any, invoke: Callable[[str, dict], Any]) -> None:
        from chalicelib.core.settings import get_settings

        self.raw, self.table = raw, os.environ["CIM_TABLE_NAME"]
        from collections import Counter

        from chalicelib.domain import names

        first, last, phone, account = person(PROBE)
        self.contact_id = None
        self.legs = iter(range(10**9))
        # The commonest first name and the beginning of the commonest last name of the first thousand people
        # (drawn with real frequencies): the search whose matches are most numerous.
        common_first = Counter(names.words(name_of(n)[0])[0] for n in range(1000)).most_common(1)[0][0]
        common_last = Counter(names.words(name_of(n)[1])[-1] for n in range(1000)).most_common(1)[0][0]
        self.name_words = (common_first, common_last[:4])
        self.name_query = " ".join(self.name_words)
        page = get_settings().page_default
        self.ours: dict[str, Callable[[Callable], Any]] = {
            "lookup by ANI": lambda c: c("POST", "/contacts/lookup", {"ani": phone}),
            "lookup by call variable": lambda c: c("POST", "/contacts/lookup",
                                                   {"callVariables": {"callVariable3": account}}),
            # The lines an IVR script reads: answered from the index entry's card.
            "flat IVR lookup": lambda c: c("POST", "/contacts/lookup/ivr", {"ani": phone}),
            # Amazon Connect's contact flow invokes the function directly: the caller and the
            # account number the caller typed, as Connect sends them.
            "Connect flow lookup": lambda c: invoke("connect_lookup", {"Name": "ContactFlowEvent", "Details": {
                "ContactData": {"ContactId": "bench", "Channel": "VOICE", "Attributes": {"callVariable3": account},
                                "CustomerEndpoint": {"Address": e164, "Type": "TELEPHONE_NUMBER"}},
                "Parameters": {}}}),
            "name search": lambda c: c("GET", f"/contacts/getContactByName/{self.name_query.replace(' ', '%20')}"),
            # The commonest first name alone: a full page of a common name.
            "name search, one word": lambda c: c("GET", f"/contacts/getContactByName/{self.name_words[0]}"),
            "history page": lambda c: c("GET", f"/interactions/loadInteractions/{self.probe_id(c)}?limit=20"),
            "leg save": lambda c: c("POST", f"/interactions/updateOrSaveInteractionTree/BENCH-{next(self.legs) % 50}",
                                    {"interaction": {"leg_id": f"L{next(self.legs)}", "type": "voice"}}),
            # A new caller: a number and an address never seen, so no Query for earlier calls.
            "contact create": lambda c: c("POST", "/saveContact", self.new_caller()),
        }
        e164 = f"+1212{phone[7:10]}{phone[11:]}"
        self.bare: dict[str, Callable[[], Any]] = {
            "lookup by ANI": lambda: self.index_then_contacts(f"IDX#phone#{e164}", 26),
            "lookup by call variable": lambda: self.index_then_contacts(f"IDX#attr:account_no#{account.lower()}", 26),
            "flat IVR lookup": lambda: self.index_only(f"IDX#phone#{e164}", 26),
            "Connect flow lookup": lambda: self.index_only(f"IDX#attr:account_no#{account.lower()}", 26),
            "name search": lambda: self.name_search(*self.name_words, page),
            "name search, one word": lambda: self.raw.query(
                TableName=self.table, KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
                ExpressionAttributeValues={":pk": {"S": f"NAME#{self.name_words[0][0]}"},
                                           ":p": {"S": self.name_words[0]}}, Limit=page),
            "history page": self.history_page,
            "leg save": self.leg_save,
            "contact create": self.contact_create,
        }
        self.created = iter(range(10**9))
        self.call = call

    def probe_id(self, c: Callable) -> str:
        if self.contact_id is None:
            found = json.loads(c("POST", "/contacts/lookup", {"ani": person(PROBE)[2]}).body)
            self.contact_id = found["contacts"][0]["id"]
            for i in range(50):  # the probe's calls: 50 trees for the history page and the leg saves
                c("POST", f"/interactions/updateOrSaveInteractionTree/BENCH-{i}",
                  {"ani": person(PROBE)[2], "interaction": {"leg_id": "L0", "type": "voice",
                                                            "start_time": f"2026-11-01T10:{i:02d}:00Z"}})
        return self.contact_id

    def index_then_contacts(self, pk: str, limit: int) -> None:
        reply = self.raw.query(TableName=self.table, KeyConditionExpression="PK = :pk", ConsistentRead=True,
                               ExpressionAttributeValues={":pk": {"S": pk}}, Limit=limit)
        keys = [{"PK": {"S": f"CONTACT#{i['id']['S']}"}, "SK": {"S": "CONTACT"}} for i in reply["Items"]]
        if keys:
            self.raw.batch_get_item(RequestItems={self.table: {"Keys": keys, "ConsistentRead": True}})

    def index_only(self, pk: str, limit: int) -> None:
        """The one Query the IVR's flat answer needs: the entries, with their cards."""
        self.raw.query(TableName=self.table, KeyConditionExpression="PK = :pk", ConsistentRead=True,
                       ExpressionAttributeValues={":pk": {"S": pk}}, Limit=limit)

    def name_search(self, word: str, other: str, page: int) -> None:
        """What a two-word search reads: the pair entries of the finished word
        with the other's beginning (the contacts ride on them); when they do
        not fill the page, the names where the finished word only begins a
        longer word (the beginning entries keyed by the other's first three
        letters), then long names."""
        reply = self.raw.query(
            TableName=self.table, KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": {"S": f"NAMEPAIR#{word}"}, ":p": {"S": other}}, Limit=page)
        if len(reply["Items"]) < page:
            self.raw.query(
                TableName=self.table, KeyConditionExpression="PK = :pk AND SK BETWEEN :a AND :z",
                ExpressionAttributeValues={":pk": {"S": f"NAMEBEGINS#{other[:3]}"}, ":a": {"S": word + "$"},
                                           ":z": {"S": word + "\U0010ffff"}}, Limit=page - len(reply["Items"]))
            self.raw.query(
                TableName=self.table, KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
                ExpressionAttributeValues={":pk": {"S": f"NAMELONG#{word[0]}"}, ":p": {"S": word}},
                Limit=page - len(reply["Items"]))

    def history_page(self) -> None:
        reply = self.raw.query(TableName=self.table, KeyConditionExpression="PK = :pk", ConsistentRead=True,
                               ExpressionAttributeValues={":pk": {"S": f"HIST#{self.contact_id}"}}, Limit=20,
                               ScanIndexForward=False)
        keys = [{"PK": {"S": f"CALL#{i['call_Id']['S']}"}, "SK": {"S": "CALL"}} for i in reply["Items"]]
        self.raw.batch_get_item(RequestItems={self.table: {"Keys": keys, "ConsistentRead": True}})

    def new_caller(self) -> dict[str, str]:
        n = next(self.created)
        return {"first_name": "New", "last_name": f"Caller{n}", "phone1": f"+1 646 5{n // 10000 % 100:02d} {n % 10000:04d}",
                "email": f"new.caller{n}@example.com"}

    def contact_create(self) -> None:
        """Screen the number and address (one BatchGetItem), then the contact and its
        entries in one transaction (what a create does, minus the checks)."""
        n = next(self.created)
        self.raw.batch_get_item(RequestItems={self.table: {"Keys": [
            {"PK": {"S": f"SUPPRESS#bench{n}"}, "SK": {"S": "SUPPRESS"}},
            {"PK": {"S": f"CALLER#phone#bench{n}"}, "SK": {"S": "SEEN"}}], "ConsistentRead": True}})
        items = [{"PK": {"S": f"CONTACT#BENCH{n}"}, "SK": {"S": "CONTACT"}, "doc": {"S": "x" * 600}}] + [
            {"PK": {"S": f"IDX#bench{k}#{n}"}, "SK": {"S": f"CONTACT#BENCH{n}"}, "id": {"S": f"BENCH{n}"}}
            for k in range(7)]
        self.raw.transact_write_items(TransactItems=[{"Put": {"TableName": self.table, "Item": i}} for i in items])

    def leg_save(self) -> None:
        """Read a tree, write it back one version up (what a leg save does, minus the merging)."""
        key = {"PK": {"S": f"CALL#BENCH-{next(self.legs) % 50}"}, "SK": {"S": "CALL"}}
        item = self.raw.get_item(TableName=self.table, Key=key, ConsistentRead=True)["Item"]
        version = item["version"]["N"]
        item["version"] = {"N": str(int(version) + 1)}
        self.raw.transact_write_items(TransactItems=[{"Put": {
            "TableName": self.table, "Item": item, "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {":v": {"N": version}}}}])

    def compare(self, name: str, tier: int, where: str, ours: Callable, repeat: int,
                call: Callable | None = None) -> dict:
        from chalicelib.store import aws

        run = lambda: ours(call or self.call)  # noqa: E731
        run()  # schema and rules cached, as in a warm Lambda
        aws.start_counting()
        run()
        calls, units = aws.counted_calls(), aws.counted_units()
        mine, bare = timed_pair(run, self.bare[name], repeat)
        row = {"operation": name, "contacts": tier, "where": where, "p50_ms": round(mine["p50"], 2),
               "p99_ms": round(mine["p99"], 2), "baseline_p50_ms": round(bare["p50"], 2),
               "ratio": round(mine["p50"] / bare["p50"], 2)}
        if call is None:  # counted in this process only
            # The emulator reports no capacity for TransactWriteItems: n/a, not 0.
            unreported = "TransactWriteItems" in calls and not units["write"]
            row |= {"dynamodb_calls": "+".join(calls) or "-", "read_units": units["read"],
                    "write_units": None if unreported else units["write"]}
        return row


def _import(path: Path, start: int, stop: int, workers: int, totals: dict) -> None:
    from devtools import transfer

    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["first_name", "last_name", "phone1", "account_no"])
        writer.writerows(person(n) for n in range(start, stop))
    started = time.perf_counter()
    report = path.with_suffix(".rejected.csv")
    done = transfer.import_csv(path, {}, workers=workers, report=report, out=sys.stderr)
    totals["seconds"] += time.perf_counter() - started
    totals["rows"] += done.rows
    totals["rejected"] += done.rejected
    reasons = list(csv.reader(report.open()))[1:] if report.exists() else []  # made only when a row is rejected
    assert len(reasons) == done.rejected == sum(1 for n in range(start, stop) if "call me" in person(n))
    if reasons:
        totals["reason"] = f"row {reasons[0][0]}: {reasons[0][1]}"


LOAD_CHUNK = 2000  # rows a loader process turns into items at a time


def _load(folder: Path, start: int, stop: int, workers: int, totals: dict) -> None:
    """Rows ``start`` to ``stop`` as the service stores them (each contact and
    its entries, built by the service's own code in ``workers`` processes),
    put into the emulation inside its process (``devtools.emulator.load_items``)
    while the next chunk is built: the tiers past the import's in minutes."""
    from concurrent.futures import ProcessPoolExecutor

    import requests

    from devtools.emulator import LOAD_PATH

    started = time.perf_counter()
    chunks = [[person(n) for n in range(at, min(at + LOAD_CHUNK, stop))] for at in range(start, stop, LOAD_CHUNK)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        built = [pool.submit(_build_items, chunk, str(folder / f"items-{start + i * LOAD_CHUNK}.jsonl"))
                 for i, chunk in enumerate(chunks)]
        for future in built:
            path, rows, rejected = future.result()
            reply = requests.post(os.environ["AWS_ENDPOINT_URL"] + LOAD_PATH, json={"table": TABLE, "file": path},
                                  timeout=600)
            reply.raise_for_status()
            os.unlink(path)
            totals["rows"] += rows
            totals["rejected"] += rejected
    totals["seconds"] += time.perf_counter() - started
    print(f"loaded {stop:,} contacts ({totals['rows'] / totals['seconds']:.0f} rows/s)", file=sys.stderr)


def _build_items(rows: list[list[str]], path: str) -> tuple[str, int, int]:
    """The typed items of ``rows``' contacts, one a line, as the store writes them (with their ``entity``)."""
    from chalicelib.store.dynamo import stamped

    built = rejected = 0
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            items = _items_of(row)
            if items is None:
                rejected += 1  # as the import rejects it
                continue
            out.writelines(json.dumps(stamped(i)) + "\n" for i in items)
            built += 1
    return path, built, rejected


def _items_of(row: list[str]) -> list[dict[str, Any]] | None:
    """The typed items the service stores for ``row``'s contact (its entries, then
    itself), or None for a row the import rejects."""
    from pydantic import ValidationError

    from chalicelib.core.errors import Invalid
    from chalicelib.models.contact import ContactFields
    from chalicelib.services.contacts import contacts
    from chalicelib.store import contacts as store

    first, last, phone, account = row
    try:
        entries, item = store.new_items(*contacts.new_contact(
            ContactFields(first_name=first, last_name=last, phone1=phone, account_no=account)))
    except (Invalid, ValidationError):
        return None
    return [*entries, item]


def _raw_import_rate(raw: Any, rows: int, workers: int) -> float:
    """The same items the import wrote, put by bare BatchWriteItem calls into
    another table with as many writers: rows/s."""
    from chalicelib.store.table import table_definition

    raw.create_table(**table_definition(RAW_TABLE))
    chunks: list[list[dict]] = []
    items: list[dict] = []
    for n in range(rows):
        items += _items_of(person(n)) or []  # a row the import rejected wrote nothing either
        while len(items) >= 25:
            chunks.append(items[:25])
            items = items[25:]
    chunks.append(items)

    def put(chunk: list[dict]) -> None:
        request = {RAW_TABLE: [{"PutRequest": {"Item": i}} for i in chunk]}
        while request:
            request = raw.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(put, [c for c in chunks if c]))
    return rows / (time.perf_counter() - started)


def _over_http(ops: Operations, tier: int, repeat: int) -> list[dict]:
    import requests

    from devtools.emulator import free_port

    port = free_port()
    env = os.environ | {"PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "devtools.local"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {ADMIN}"

    def call(method: str, path: str, body: Any = None) -> Any:
        reply = session.request(method, url + path, json=body, timeout=30)
        assert reply.status_code < 300, (path, reply.status_code, reply.text[:200])
        return reply

    try:
        for _ in range(300):
            try:
                if session.get(url + "/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        # Connect invokes its function directly, not over HTTP: measured in-process only.
        return [ops.compare(name, tier, "HTTP (chalice local)", ours, repeat, call)
                for name, ours in ops.ours.items() if name != "Connect flow lookup"]
    finally:
        server.terminate()
        server.wait(timeout=20)


def _event_burst() -> list[dict]:
    """``bench/events.py`` in a process of its own (it runs its own emulation)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CIM_"))} | {"CIM_METRICS": "off"}
    done = subprocess.run([sys.executable, "-m", "bench.events"], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return [line for line in lines if "events" in line]  # its results, not a stray metrics line


def _cold_start() -> dict:
    """Import times, medians of 7 fresh processes. Both sides load bytecode
    (this project's modules compiled into a cache of the run's own, as the
    packaged zip carries them), so the ratio compares code, not compiling."""
    cache = tempfile.mkdtemp(prefix="cim-pycache-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": cache}
    subprocess.run([sys.executable, "-m", "compileall", "-q", "chalicelib", "app.py"], cwd=ROOT, env=env,
                   capture_output=True, check=True)

    def median_import(code: str, where: Path = ROOT, run_env: dict | None = None) -> float:
        samples = []
        for _ in range(7):
            out = subprocess.run([sys.executable, "-c", f"import time; t=time.perf_counter(); "
                                  f"{code}; print(time.perf_counter()-t)"], cwd=where, capture_output=True,
                                 text=True, check=True, env=run_env or env)
            samples.append(float(out.stdout.strip()) * 1000)
        return statistics.median(samples)

    app_ms = median_import("import app")
    bare_ms = median_import("import boto3, chalice, pydantic")
    # Route modules load their services on first use: what a lookup's first request adds.
    lookup_ms = median_import("import app, chalicelib.services.contacts.lookup")
    zip_path = ROOT / "build" / "dev" / "sam" / "deployment.zip"
    if not zip_path.exists():
        subprocess.run([sys.executable, "-m", "devtools.package", "--stage", "dev"], cwd=ROOT,
                       capture_output=True, env=os.environ | {"AWS_DEFAULT_REGION": "us-east-1"})
    size = zip_path.stat().st_size if zip_path.exists() else None
    return {"app_import_ms": round(app_ms, 1), "bare_imports_ms": round(bare_ms, 1),
            "ratio": round(app_ms / bare_ms, 2), "app_and_lookup_path_ms": round(lookup_ms, 1), "zip_bytes": size,
            **(_from_the_zip(zip_path, median_import) if zip_path.exists() else {})}


def _from_the_zip(zip_path: Path, median_import: Any) -> dict:
    """``import app`` from the deployment zip unpacked, as Lambda loads it (its
    folder read-only: nothing compiled is kept), with the bytecode the
    package carries and with it removed."""
    from devtools.package import unpack_here

    times = {}
    for kept in (True, False):
        folder = Path(tempfile.mkdtemp(prefix="cim-zip-"))
        unpack_here(zip_path, folder)  # the zip is arm64: its extensions come from this machine's environment
        if not kept:
            for compiled in folder.rglob("*.pyc"):
                compiled.unlink()
        lambda_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CIM_", "PYTHONPYCACHE"))}
        times[kept] = median_import("import app", folder, lambda_env | {"PYTHONDONTWRITEBYTECODE": "1"})
    return {"zip_import_ms": round(times[True], 1), "zip_import_without_bytecode_ms": round(times[False], 1)}


def _print(report: dict) -> None:
    print(f"\nMachine: {report['machine']}  ({report['when']})\n")
    print(f"{'operation':<25}{'contacts':>9}  {'where':<21}{'p50 ms':>8}{'p99 ms':>8}{'boto3 p50':>10}"
          f"{'ratio':>7}  {'RCU':>5}{'WCU':>5}  DynamoDB calls")
    for row in report["operations"]:
        write = "n/a" if row.get("write_units") is None else f"{row['write_units']:.1f}"
        units = f"{row['read_units']:>5.1f}{write:>5}" if "read_units" in row else " " * 10
        print(f"{row['operation']:<25}{row['contacts']:>9}  {row['where']:<21}{row['p50_ms']:>8.2f}"
              f"{row['p99_ms']:>8.2f}{row['baseline_p50_ms']:>10.2f}{row['ratio']:>7.2f}  {units}"
              f"  {row.get('dynamodb_calls', '')}")
    imp, cold = report["import"], report["cold_start"]
    print(f"\nimport: {imp['rows']:,} rows ({imp['rejected']} rejected, e.g. {imp.get('reason')}),"
          f" {imp['workers']} writers: {imp['rows_per_s']} rows/s; raw BatchWriteItem "
          f"of the same items (the first {imp['baseline_rows']:,} rows, {imp['workers']} writers): "
          f"{imp['batch_write_rows_per_s']} rows/s; ratio {imp['ratio']}")
    print(f"cold start: import app {cold['app_import_ms']} ms; boto3+chalice+pydantic {cold['bare_imports_ms']} ms;"
          f" ratio {cold['ratio']}; app with the lookup's modules {cold['app_and_lookup_path_ms']} ms;"
          f" zip {cold['zip_bytes']:,} bytes")
    if "zip_import_ms" in cold:
        print(f"cold start from the deployment zip, as Lambda loads it: import app {cold['zip_import_ms']} ms with "
              f"the bytecode the package carries, {cold['zip_import_without_bytecode_ms']} ms without")
    for burst in report["events"]:
        print(f"events: {burst['events']} changes, {burst['lanes_at_once']} lane(s) at once, target answers in "
              f"{burst['target_answers_in_ms']:g} ms: {burst['events_per_s']}/s (bare POSTs {burst['bare_posts_per_s']}/s,"
              f" ratio {burst['ratio']}); delivered p50 {burst['latency_ms_p50']} ms, p99 {burst['latency_ms_p99']} ms")
    print(f"the benchmark took {report['bench_seconds']} s")


if __name__ == "__main__":
    sys.exit(main())
