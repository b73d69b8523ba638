"""``make run``'s data outlives it: the embedded emulation keeps everything
in memory, so the table's items and the bucket's objects are written to the
data folder (``CIM_DATA_DIR``/``data/``) every ``CIM_SNAPSHOT_SECONDS``
(default 5) while they change, and when the server stops, and loaded back
when it starts (``make run FRESH=1`` starts empty). A crash loses at most
the last ``CIM_SNAPSHOT_SECONDS`` of writes.

Each snapshot is written to a new folder and swapped in with a rename, so a
crash while writing leaves the previous one whole. Development only: a Scan
of the whole table is fine here, never on a request path.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any


class Snapshots:
    def __init__(self, folder: Path, table: str, bucket: str) -> None:
        self.folder, self.table, self.bucket = folder, table, bucket
        self.seconds = float(os.environ.get("CIM_SNAPSHOT_SECONDS") or 5)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last = ""
        self._writes = -1

    def _clients(self) -> tuple[Any, Any]:
        import boto3
        from botocore.config import Config

        # Short timeouts: a stuck emulation must not hold the server's stop for minutes.
        config = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 2})
        return boto3.client("dynamodb", config=config), boto3.client("s3", config=config)

    def restore(self) -> int:
        """Load the last snapshot into the (empty) table and bucket; the items loaded."""
        items_file = self.folder / "items.jsonl"
        if not items_file.exists():
            return 0
        dynamodb, s3 = self._clients()
        items = [json.loads(line) for line in items_file.read_text().splitlines() if line]
        for start in range(0, len(items), 25):
            request = {self.table: [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]}
            while request:
                request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        manifest = self.folder / "objects.json"
        for key, content_type in (json.loads(manifest.read_text()) if manifest.exists() else {}).items():
            body = (self.folder / "objects" / key).read_bytes()
            s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        self._last = self._fingerprint(items)
        return len(items)

    @staticmethod
    def _fingerprint(items: list[dict[str, Any]]) -> str:
        return str(hash(json.dumps(items, sort_keys=True)))

    def save(self) -> bool:
        """Write a snapshot if anything changed since the last; True if written.
        With the emulation in this process (``make run``), an idle moment costs
        nothing (its count of writes has not moved) and the items are read from
        it directly, not through a Scan it must serialise."""
        from devtools import emulator

        writes = emulator.writes_so_far()
        if writes and writes == self._writes:
            return False
        dynamodb, s3 = self._clients()
        items = emulator.emulated_items(self.table) if writes else None
        if items is None:
            items = []
            for page in dynamodb.get_paginator("scan").paginate(TableName=self.table):
                items += page["Items"]
        objects = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            objects.update({o["Key"]: o["ETag"] for o in page.get("Contents", [])})
        fingerprint = self._fingerprint(items) + str(sorted(objects.items()))
        if fingerprint == self._last:
            self._writes = writes
            return False
        fresh = self.folder.with_name(self.folder.name + ".new")
        shutil.rmtree(fresh, ignore_errors=True)
        (fresh / "objects").mkdir(parents=True)
        (fresh / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
        manifest = {}
        for key in objects:
            got = s3.get_object(Bucket=self.bucket, Key=key)
            target = fresh / "objects" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(got["Body"].read())
            manifest[key] = got.get("ContentType") or "application/octet-stream"
        (fresh / "objects.json").write_text(json.dumps(manifest))
        old = self.folder.with_name(self.folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            self.folder.rename(old)
        fresh.rename(self.folder)
        shutil.rmtree(old, ignore_errors=True)
        self._last, self._writes = fingerprint, writes
        return True

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self.seconds):
                try:
                    self.save()
                except Exception as error:  # the next round tries again; the server goes on
                    print(f"snapshot skipped: {type(error).__name__}", flush=True)

        self._thread = threading.Thread(target=loop, name="snapshots", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=20)
        self.save()
