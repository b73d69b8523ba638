"""``make run``'s data outlives it: the embedded emulation keeps everything
in memory, so the table's items and the bucket's objects are written to the
data folder (``CIM_DATA_DIR``/``data/``) every ``CIM_SNAPSHOT_SECONDS``
(default 5) while they change, and when the server stops, and loaded back
when it starts (``make run FRESH=1`` starts empty). A crash loses at most
the last ``CIM_SNAPSHOT_SECONDS`` of writes.

A round writes only what changed: the items written since the last round
(the emulation keeps their keys, ``emulator.changed_items``) are appended to
``journal.jsonl``, each as it now is, and the files that changed are
copied. So a round, and a stop, cost what was written, not the size of the
data. A round that deleted an item writes a whole snapshot instead: an
erased person must leave the disk, and the journal's earlier lines would
keep them; so does one after the journal grows past the whole table (or
``JOURNAL_MIN`` lines). A whole snapshot goes to a new folder swapped in
with a rename, so a crash while writing leaves
the previous one whole; a journal line a crash cut short is dropped when
the journal is read back. Development only: a Scan of the whole table is fine
here, never on a request path.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

JOURNAL_MIN = 10_000  # lines a journal may reach, or the whole table's count if that is more


class Snapshots:
    def __init__(self, folder: Path, table: str, bucket: str) -> None:
        self.folder, self.table, self.bucket = folder, table, bucket
        self.seconds = float(os.environ.get("CIM_SNAPSHOT_SECONDS") or 5)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last = ""
        self._writes = -1
        self._whole = 0  # items in the last whole snapshot
        self._journaled = 0  # lines in its journal since
        self._files: dict[str, list[str]] = {}  # key -> [ETag, content type] as kept

    def _clients(self) -> tuple[Any, Any]:
        import boto3
        from botocore.config import Config

        # Short timeouts: a stuck emulation must not hold the server's stop for minutes.
        config = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 2})
        return boto3.client("dynamodb", config=config), boto3.client("s3", config=config)

    def restore(self) -> int:
        """Load the last snapshot and its journal into the (empty) table and
        bucket; the items loaded."""
        from devtools import emulator

        emulator.follow_changes(self.table)
        items_file = self.folder / "items.jsonl"
        if not items_file.exists():
            return 0
        dynamodb, s3 = self._clients()
        whole = [json.loads(line) for line in items_file.read_text().splitlines() if line]
        items = {emulator.key_of(self.table, i): i for i in whole}
        journal = self.folder / "journal.jsonl"
        text = journal.read_text() if journal.exists() else ""
        if text and not text.endswith("\n"):  # a crash cut the last line short: the next round appends after it
            text = text[:text.rfind("\n") + 1]
            journal.write_text(text)
        lines = text.splitlines()
        for line in lines:
            key, item = json.loads(line)
            if item is None:
                items.pop(key, None)
            else:
                items[key] = item
        loaded = list(items.values())
        for start in range(0, len(loaded), 25):
            request = {self.table: [{"PutRequest": {"Item": i}} for i in loaded[start:start + 25]]}
            while request:
                request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        for key, (_, content_type) in self._manifest().items():
            body = (self.folder / "objects" / key).read_bytes()
            s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        emulator.changed_items(self.table)  # what the restore itself wrote is kept already
        self._whole, self._journaled = len(whole), len(lines)
        self._last = self._fingerprint(loaded)
        return len(loaded)

    def _manifest(self) -> dict[str, list[str]]:
        """key -> [ETag, content type] of the files kept (an older manifest held the type alone)."""
        manifest = self.folder / "objects.json"
        found = json.loads(manifest.read_text()) if manifest.exists() else {}
        return {k: v if isinstance(v, list) else ["", v] for k, v in found.items()}

    @staticmethod
    def _fingerprint(items: list[dict[str, Any]]) -> str:
        return str(hash(json.dumps(items, sort_keys=True)))

    def save(self, *, compact: bool = True) -> bool:
        """Write what changed since the last round; True if anything was
        written. With the emulation in this process (``make run``), an idle
        moment costs nothing (its count of writes has not moved), and a busy
        one appends the items written to the journal. A whole snapshot is
        written the first time, (``compact``) when the journal has outgrown
        it, and whenever an item was deleted: what is deleted (an erasure's
        above all: it always deletes) must leave the disk too, and the
        journal's earlier lines would keep it."""
        from devtools import emulator

        writes = emulator.writes_so_far()
        if writes and writes == self._writes:
            return False
        followed = emulator.follow_changes(self.table)
        changed = emulator.changed_items(self.table) if followed else None
        if changed is None or not (self.folder / "items.jsonl").exists() or any(i is None for i in changed.values()) \
                or compact and self._journaled + len(changed) > max(JOURNAL_MIN, self._whole):
            written = self._save_whole(writes)
        else:
            written = self._append(changed)
        self._writes = writes
        return written

    def _append(self, changed: dict[str, Any]) -> bool:
        """The items written since the last round onto the journal, and the files that changed."""
        _, s3 = self._clients()
        files = self._sync_files(s3)
        if changed:
            with open(self.folder / "journal.jsonl", "a", encoding="utf-8") as journal:
                journal.write("".join(json.dumps([key, item]) + "\n" for key, item in changed.items()))
                journal.flush()
                os.fsync(journal.fileno())
            self._journaled += len(changed)
        return bool(changed) or files

    def _sync_files(self, s3: Any) -> bool:
        """Copy the files new or changed since the last round, drop the
        deleted ones; whether any was. Each lands under a temporary name first."""
        now = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            now.update({o["Key"]: o["ETag"] for o in page.get("Contents", [])})
        kept = self._files or self._manifest()
        if {k: e for k, (e, _) in kept.items()} == now:
            self._files = kept
            return False
        files = {k: v for k, v in kept.items() if now.get(k) == v[0]}
        for key in now.keys() - files.keys():
            got = s3.get_object(Bucket=self.bucket, Key=key)
            target = self.folder / "objects" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            landing = target.with_name(target.name + ".new")
            landing.write_bytes(got["Body"].read())
            landing.replace(target)
            files[key] = [now[key], got.get("ContentType") or "application/octet-stream"]
        manifest = self.folder / "objects.json.new"
        manifest.write_text(json.dumps(files))
        manifest.replace(self.folder / "objects.json")
        for key in kept.keys() - files.keys():
            (self.folder / "objects" / key).unlink(missing_ok=True)
        self._files = files
        return True

    def _save_whole(self, writes: int) -> bool:
        """A whole snapshot in a new folder, swapped in by a rename."""
        from devtools import emulator

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
        if fingerprint == self._last and (self.folder / "items.jsonl").exists() and not self._journaled:
            return False
        fresh = self.folder.with_name(self.folder.name + ".new")
        shutil.rmtree(fresh, ignore_errors=True)
        (fresh / "objects").mkdir(parents=True)
        (fresh / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
        manifest = {}
        for key, etag in objects.items():
            got = s3.get_object(Bucket=self.bucket, Key=key)
            target = fresh / "objects" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(got["Body"].read())
            manifest[key] = [etag, got.get("ContentType") or "application/octet-stream"]
        (fresh / "objects.json").write_text(json.dumps(manifest))
        old = self.folder.with_name(self.folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            self.folder.rename(old)
        fresh.rename(self.folder)
        shutil.rmtree(old, ignore_errors=True)
        self._last, self._whole, self._journaled, self._files = fingerprint, len(items), 0, manifest
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
        self.save(compact=False)  # a stop appends what is left, whatever the size: a later round compacts
