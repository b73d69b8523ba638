"""What AWS runs for the deployed service besides the API, run here for
``make run`` (and the tests): the table's stream read as Lambda's event
source mapping reads it, each batch handed to the stream function with the
records AWS documents (``eventSourceARN`` added, as the mapping adds it),
and the scheduled functions on their schedules.

A thread each, in the server's own process, over the same emulated AWS.
"""
from __future__ import annotations

import json
import logging
import sys
import threading
import time
from typing import Any

log = logging.getLogger("cim")


class TableStream:
    """Reads every shard of the table's stream from its start (Lambda's
    ``TRIM_HORIZON``), remembering where each shard was left."""

    def __init__(self, table: str, from_now: bool = False) -> None:
        import boto3
        from botocore.config import Config

        # The regional endpoint: moto (in tests and under `make run`) answers
        # there, not at the account-based one botocore would pick.
        self._streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self.arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"].get("LatestStreamArn")
        self._iterators: dict[str, str | None] = {}
        # ``from_now``: the shards there now are read from their end (what
        # `make run` restored from its snapshot is not news); later ones whole.
        self._first = "LATEST" if from_now else "TRIM_HORIZON"
        self._refresh_shards()  # now: "from now" is before the server takes its first request

    def _refresh_shards(self) -> None:
        if not self.arn:
            return  # a table made before it had a stream: no outbound events until it has one
        shards = self._streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self._iterators:
                self._iterators[shard["ShardId"]] = self._streams.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType=self._first)["ShardIterator"]
        self._first = "TRIM_HORIZON"

    def batches(self, limit: int = 100) -> list[list[dict[str, Any]]]:
        """The records written since the last call, a batch per shard."""
        self._refresh_shards()
        found = []
        for shard, iterator in list(self._iterators.items()):
            if iterator is None:
                continue
            reply = _emulated_records(iterator, limit) or self._streams.get_records(ShardIterator=iterator, Limit=limit)
            self._iterators[shard] = reply.get("NextShardIterator")
            records = [_as_lambda_gets_it(r) | {"eventSourceARN": self.arn} for r in reply.get("Records", [])]
            if records:
                found.append(records)
        return found


def _emulated_records(iterator: str, limit: int) -> dict[str, Any] | None:
    """GetRecords answered by this process's emulation, when it holds the
    iterator (tests, `make run`): the same records without a trip through
    moto's response serialiser, which takes ~4 ms a record of a few KB
    (40 s for the 3,000 records of a busy test). None elsewhere."""
    if "moto.dynamodbstreams.models" not in sys.modules:
        return None
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    for regions in list(dynamodbstreams_backends.values()):
        for backend in list(regions.values()):
            if iterator in backend.shard_iterators:
                return backend.get_records(iterator, limit)
    return None


def _as_lambda_gets_it(record: dict[str, Any]) -> dict[str, Any]:
    """A stream record as the event source mapping hands it to the function:
    JSON, the creation time in epoch seconds (GetRecords' SDK answer has a
    datetime there)."""
    return json.loads(json.dumps(record, default=lambda when: int(when.timestamp())))


def pump(app: Any, stream: TableStream) -> int:
    """Hand every new batch to the stream function; how many events left.
    A failed batch is handed again, as Lambda retries it."""
    from chalice.test import Client

    sent = 0
    with Client(app, stage_name="local") as client:
        while batches := stream.batches():
            for records in batches:
                reply = client.lambda_.invoke("table_changes", {"Records": records})
                sent += (reply.payload or {}).get("events", 0)
    return sent


def run_schedules(app: Any, names: tuple[str, ...]) -> None:
    from chalice.test import Client

    with Client(app, stage_name="local") as client:
        for name in names:
            client.lambda_.invoke(name, {"version": "0", "id": "local", "detail-type": "Scheduled Event",
                                         "source": "aws.events", "account": "000000000000", "time": "",
                                         "region": "us-east-1", "resources": [], "detail": {}})


# The scheduled functions of the deployment and how often ``make run`` runs
# them: as deployed (each minute), the webhook retries more often so the
# first retry comes within its seconds.
SCHEDULES = {"resume-schema-jobs": 60.0, "resume-erasures": 60.0, "rci-sync": 60.0, "deliver-webhooks": 2.0}


def start(app: Any, table: str, stream_every: float = 0.5) -> threading.Event:
    """The stream and schedule threads; set the answer to stop them."""
    stop = threading.Event()
    stream = TableStream(table, from_now=True)

    def read_stream() -> None:
        while not stop.wait(stream_every):
            try:
                pump(app, stream)
            except Exception as error:  # noqa: BLE001 - a batch that failed is read again, as Lambda retries
                log.warning("stream function failed: %s", type(error).__name__)

    def schedules() -> None:
        due = dict.fromkeys(SCHEDULES, time.monotonic())
        while not stop.wait(1.0):
            for name, every in SCHEDULES.items():
                if time.monotonic() >= due[name]:
                    due[name] = time.monotonic() + every
                    try:
                        run_schedules(app, (name,))
                    except Exception as error:  # noqa: BLE001 - the next round tries again
                        log.warning("schedule %s failed: %s", name, type(error).__name__)

    if stream.arn:
        threading.Thread(target=read_stream, name="table-stream", daemon=True).start()
    else:
        log.warning("table %s has no stream: outbound events are off (make run FRESH=1 makes a new table)", table)
    threading.Thread(target=schedules, name="schedules", daemon=True).start()
    return stop
