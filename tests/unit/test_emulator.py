"""The emulator scales like DynamoDB (``chalicelib/tools/emulator.py``) and
answers exactly as moto does without the change."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from chalicelib.store.table import table_definition
from devtools.emulator import scale_like_dynamodb

ROOT = Path(__file__).resolve().parents[2]


def scenario(mode: str) -> str:
    return subprocess.run([sys.executable, "-m", "tests.unit.emulator_scenario", mode], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


def test_queries_and_transactions_answer_and_leave_the_table_as_plain_moto_does():
    plain, scaled = scenario("plain"), scenario("scaled")
    assert '"TransactionCanceledException"' in plain  # the scenario does cancel transactions
    assert scaled == plain


@pytest.fixture
def table():
    scale_like_dynamodb()
    with mock_aws():
        db = boto3.client("dynamodb")
        db.create_table(**table_definition("emu"))
        yield db


def test_a_query_reads_only_its_partition(table, monkeypatch):
    from moto.dynamodb.models.dynamo_type import DynamoType

    for start in range(0, 2000, 25):
        table.batch_write_item(RequestItems={"emu": [
            {"PutRequest": {"Item": {"PK": {"S": f"P#{n}"}, "SK": {"S": "S"}}}} for n in range(start, start + 25)]})
    compared = []
    original = DynamoType.__lt__
    monkeypatch.setattr(DynamoType, "__lt__", lambda a, b: compared.append(1) or original(a, b))
    reply = table.query(TableName="emu", KeyConditionExpression="PK = :pk",
                        ExpressionAttributeValues={":pk": {"S": "P#1234"}})
    assert [i["PK"]["S"] for i in reply["Items"]] == ["P#1234"]
    assert len(compared) < 10  # plain moto sorts all 2,000 items: thousands of comparisons


def test_a_gsi_query_reads_only_its_partition(table, monkeypatch):
    from moto.dynamodb.models.dynamo_type import DynamoType

    for start in range(0, 2000, 25):
        table.batch_write_item(RequestItems={"emu": [{"PutRequest": {"Item": {
            "PK": {"S": f"P#{n}"}, "SK": {"S": "S"}, "GSI1PK": {"S": f"G#{n % 100}"}, "GSI1SK": {"S": f"{n:05d}"}}}}
            for n in range(start, start + 25)]})
    table.update_item(TableName="emu", Key={"PK": {"S": "P#5"}, "SK": {"S": "S"}}, UpdateExpression="SET GSI1PK = :g",
                      ExpressionAttributeValues={":g": {"S": "G#34"}})  # moved in from another partition
    compared = []
    original = DynamoType.__lt__
    monkeypatch.setattr(DynamoType, "__lt__", lambda a, b: compared.append(1) or original(a, b))
    reply = table.query(TableName="emu", IndexName="GSI1", KeyConditionExpression="GSI1PK = :g",
                        ExpressionAttributeValues={":g": {"S": "G#34"}})
    assert [i["PK"]["S"] for i in reply["Items"]] == ["P#5"] + [f"P#{n}" for n in range(34, 2000, 100)]
    assert len(compared) < 500  # plain moto sorts all 2,000 items: tens of thousands of comparisons


def test_reads_report_the_units_dynamodb_would_charge(table):
    """4 KB steps of what was read: a Query pays for everything it evaluated
    (its filter and projection do not make it cheaper), a GetItem for the
    whole item, a BatchGetItem for each item; half when eventually
    consistent; a missing item the minimum."""
    for n in range(30):  # about 1 KB each: 30 KB in one partition
        table.put_item(TableName="emu", Item={"PK": {"S": "P"}, "SK": {"S": f"{n:03}"}, "n": {"N": str(n)},
                                              "doc": {"S": "x" * 1000}})
    partition = {"TableName": "emu", "KeyConditionExpression": "PK = :p", "ReturnConsumedCapacity": "TOTAL"}
    units = lambda reply: reply["ConsumedCapacity"]["CapacityUnits"]  # noqa: E731
    whole = table.query(**partition, ExpressionAttributeValues={":p": {"S": "P"}}, ConsistentRead=True)
    assert whole["Count"] == 30 and units(whole) == 8.0
    filtered = table.query(**partition, FilterExpression="n = :n",
                           ExpressionAttributeValues={":p": {"S": "P"}, ":n": {"N": "3"}})
    assert filtered["Count"] == 1 and filtered["ScannedCount"] == 30 and units(filtered) == 4.0
    projected = table.query(**partition, ProjectionExpression="n", Limit=3, ConsistentRead=True,
                            ExpressionAttributeValues={":p": {"S": "P"}})
    assert projected["Items"] == [{"n": {"N": str(n)}} for n in range(3)] and units(projected) == 1.0
    key = lambda sk: {"PK": {"S": "P"}, "SK": {"S": sk}}  # noqa: E731
    one = table.get_item(TableName="emu", Key=key("001"), ProjectionExpression="n", ConsistentRead=True,
                         ReturnConsumedCapacity="TOTAL")
    assert one["Item"] == {"n": {"N": "1"}} and units(one) == 1.0
    assert units(table.get_item(TableName="emu", Key=key("none"), ReturnConsumedCapacity="TOTAL")) == 0.5
    batch = table.batch_get_item(RequestItems={"emu": {"Keys": [key(f"{n:03}") for n in range(5)] + [key("none")],
                                                       "ConsistentRead": True}}, ReturnConsumedCapacity="TOTAL")
    assert len(batch["Responses"]["emu"]) == 5 and batch["ConsumedCapacity"] == [{"TableName": "emu",
                                                                                  "CapacityUnits": 6.0}]


def test_concurrent_transactions_are_isolated_and_lose_nothing(table):
    """Eight writers race for the same claims: exactly one wins each claim,
    and a cancelled transaction undoes only its own writes."""
    wins: list[tuple[int, int]] = []
    failures: list[Exception] = []

    def writer(thread: int) -> None:
        try:
            claim_all(thread)
        except Exception as error:  # plain moto: "dictionary changed size during iteration"
            failures.append(error)

    def claim_all(thread: int) -> None:
        db = boto3.client("dynamodb")
        for claim in range(30):
            try:
                db.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "emu", "Item": {"PK": {"S": f"OWN#{thread}#{claim}"}, "SK": {"S": "S"}}}},
                    {"Put": {"TableName": "emu", "Item": {"PK": {"S": f"CLAIM#{claim}"}, "SK": {"S": "S"},
                                                          "by": {"N": str(thread)}},
                             "ConditionExpression": "attribute_not_exists(PK)"}},
                ])
            except db.exceptions.TransactionCanceledException:
                continue
            wins.append((thread, claim))

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    items = {(i["PK"]["S"], i.get("by", {}).get("N")) for i in table.scan(TableName="emu")["Items"]}
    assert failures == []
    assert sorted(c for _, c in wins) == list(range(30))
    assert items == {(f"OWN#{t}#{c}", None) for t, c in wins} | {(f"CLAIM#{c}", str(t)) for t, c in wins}


def test_make_runs_snapshots_read_nothing_while_nothing_changes_and_keep_every_write(tmp_path, monkeypatch):
    """``make run`` snapshots its emulation every few seconds: idle, a round
    costs nothing; after a write, the items come straight from the emulation
    (no Scan serialised through it) and a restart gets them back."""
    from devtools import emulator
    from devtools.bootstrap import ensure_all
    from devtools.snapshot import Snapshots

    scale_like_dynamodb()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("CIM_TABLE_NAME", "snap-test")
    monkeypatch.setenv("CIM_BUCKET_NAME", "snap-test-files")
    from chalicelib.core.settings import get_settings
    from chalicelib.store import aws

    get_settings.cache_clear()
    aws.reset_clients()
    with mock_aws():
        ensure_all()
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.put_item(TableName="snap-test", Item={"PK": {"S": "A"}, "SK": {"S": "1"}})
        snapshots = Snapshots(tmp_path / "data", "snap-test", "snap-test-files")
        assert snapshots.save() is True

        reads = []
        monkeypatch.setattr(emulator, "emulated_items", lambda table: reads.append(table) or [])
        monkeypatch.setattr(snapshots, "_clients", lambda: reads.append("clients") or (None, None))
        assert snapshots.save() is False and reads == []  # idle: not one read
        monkeypatch.undo()
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.setenv("CIM_TABLE_NAME", "snap-test")
        monkeypatch.setenv("CIM_BUCKET_NAME", "snap-test-files")

        client.put_item(TableName="snap-test", Item={"PK": {"S": "B"}, "SK": {"S": "2"}})
        assert snapshots.save() is True
    with mock_aws():
        ensure_all()
        # A and B, and the index format the new table started with.
        assert Snapshots(tmp_path / "data", "snap-test", "snap-test-files").restore() == 3
        found = boto3.client("dynamodb", region_name="us-east-1").scan(TableName="snap-test")["Items"]
        assert sorted(i["PK"]["S"] for i in found) == ["A", "B", "JOBS"]
    get_settings.cache_clear()
    aws.reset_clients()


def _journal_store(client) -> None:
    """The table and the bucket the journal test snapshots."""
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="journal-files")
    client.create_table(TableName="journal-test", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                              {"AttributeName": "SK", "AttributeType": "S"}])


def test_a_snapshot_round_writes_only_what_changed_and_a_restart_replays_it(tmp_path, monkeypatch):
    """After the first whole snapshot a round appends the items written
    since the last to the journal and copies the files that changed; a round
    that deleted an item, or one past ``JOURNAL_MIN`` lines, writes a whole
    snapshot instead; a restart replays the journal, past a line a crash cut
    short; a stop only appends."""
    from devtools import snapshot
    from devtools.bootstrap import ensure_all
    from devtools.snapshot import Snapshots

    scale_like_dynamodb()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    folder = tmp_path / "data"
    with mock_aws():
        ensure_all()
        client = boto3.client("dynamodb", region_name="us-east-1")
        s3 = boto3.client("s3", region_name="us-east-1")
        _journal_store(client)

        def put(pk: str, note: str) -> None:
            client.put_item(TableName="journal-test", Item={"PK": {"S": pk}, "SK": {"S": "x"}, "note": {"S": note}})

        for n in range(50):
            put(f"P{n}", "first")
        s3.put_object(Bucket="journal-files", Key="attachments/a.txt", Body=b"one", ContentType="text/plain")
        snapshots = Snapshots(folder, "journal-test", "journal-files")
        assert snapshots.save() is True and not (folder / "journal.jsonl").exists()  # the first: whole

        put("P1", "changed")
        client.update_item(TableName="journal-test", Key={"PK": {"S": "P3"}, "SK": {"S": "x"}},
                           UpdateExpression="SET note = :n", ExpressionAttributeValues={":n": {"S": "updated"}})
        client.transact_write_items(TransactItems=[{"Put": {"TableName": "journal-test", "Item": {
            "PK": {"S": "P60"}, "SK": {"S": "x"}, "note": {"S": "new"}}}}])
        s3.put_object(Bucket="journal-files", Key="attachments/b.txt", Body=b"two", ContentType="text/plain")
        whole = (folder / "items.jsonl").read_text()
        assert snapshots.save() is True
        assert (folder / "items.jsonl").read_text() == whole  # the whole snapshot is left as it was
        lines = [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]
        assert sorted((json.loads(key)[0]["S"], item["note"]["S"]) for key, item in lines) == [
            ("P1", "changed"), ("P3", "updated"), ("P60", "new")]
        assert (folder / "objects" / "attachments" / "b.txt").read_bytes() == b"two"
        assert snapshots.save() is False  # idle

        # A deletion (an erasure's, say) writes a whole snapshot: no earlier journal line keeps what went.
        client.delete_item(TableName="journal-test", Key={"PK": {"S": "P2"}, "SK": {"S": "x"}})
        put("P1", "erased")
        assert snapshots.save() is True and not (folder / "journal.jsonl").exists()
        on_disk = "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())
        assert '"P2"' not in on_disk and '"changed"' not in on_disk

        put("P4", "cut short")
        assert snapshots.save() is True
        with open(folder / "journal.jsonl", "a") as journal:
            journal.write('[["half a line')  # a crash while appending
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _journal_store(client)
        restarted = Snapshots(folder, "journal-test", "journal-files")
        assert restarted.restore() == 50  # 50, less P2, with P60
        found = {i["PK"]["S"]: i["note"]["S"] for i in client.scan(TableName="journal-test")["Items"]}
        assert (found["P1"], found["P3"], found["P4"], found["P60"], "P2" in found) == (
            "erased", "updated", "cut short", "new", False)
        assert boto3.client("s3", region_name="us-east-1").get_object(
            Bucket="journal-files", Key="attachments/b.txt")["Body"].read() == b"two"

        monkeypatch.setattr(snapshot, "JOURNAL_MIN", 2)  # the journal has outgrown it
        for n in range(60, 125):
            client.put_item(TableName="journal-test", Item={"PK": {"S": f"Q{n}"}, "SK": {"S": "x"}})
        journaled = len((folder / "journal.jsonl").read_text().splitlines())
        restarted.stop()  # a stop only appends, whatever the size
        assert len((folder / "journal.jsonl").read_text().splitlines()) == journaled + 65
    with mock_aws():  # what came after the line cut short comes back too; then a round compacts
        client = boto3.client("dynamodb", region_name="us-east-1")
        _journal_store(client)
        third = Snapshots(folder, "journal-test", "journal-files")
        assert third.restore() == 50 + 65
        client.put_item(TableName="journal-test", Item={"PK": {"S": "Q999"}, "SK": {"S": "x"}})
        assert third.save() is True and not (folder / "journal.jsonl").exists()  # whole again
        assert len((folder / "items.jsonl").read_text().splitlines()) == 50 + 65 + 1


def test_a_loaded_file_of_items_is_in_the_table_and_its_index_as_if_put(table, tmp_path):
    """The bench's loader: a JSON-lines file of typed items, put inside the
    emulation's process (``POST /_cim/load``), reads back as items put over
    the API do, by key and through GSI1."""
    from werkzeug.test import Client

    from devtools.emulator import LOAD_PATH, _with_loader

    items = [{"PK": {"S": f"CONTACT#{n}"}, "SK": {"S": "CONTACT"}, "GSI1PK": {"S": "CONTACTS#0"},
              "GSI1SK": {"S": f"2026-12-03T00:00:{n:02d}Z#{n}"}} for n in range(30)]
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items))
    refused = []

    def aws_apis(environ, start_response):
        refused.append(environ["PATH_INFO"])
        start_response("404 Not Found", [])
        return [b""]

    app = _with_loader(aws_apis)
    reply = Client(app).post(LOAD_PATH, json={"table": "emu", "file": str(path)})
    assert reply.status_code == 200 and reply.get_json() == {"loaded": 30} and refused == []
    Client(app).get("/")
    assert refused == ["/"]  # anything else is the AWS APIs'
    got = table.get_item(TableName="emu", Key={"PK": {"S": "CONTACT#7"}, "SK": {"S": "CONTACT"}})["Item"]
    assert got == items[7]
    listed = table.query(TableName="emu", IndexName="GSI1", KeyConditionExpression="GSI1PK = :pk",
                         ExpressionAttributeValues={":pk": {"S": "CONTACTS#0"}}, ScanIndexForward=False, Limit=3)
    assert [i["PK"]["S"] for i in listed["Items"]] == ["CONTACT#29", "CONTACT#28", "CONTACT#27"]
