"""``cim import`` / ``cim export``: contacts in and out of the table, in bulk.

Import streams the CSV (constant memory, any size), maps its columns to
schema keys (the header names them; ``--map column=key`` renames,
``--map column=`` skips), checks each row exactly as ``POST /saveContact``
does, and writes with bounded parallelism. Each row's contact id is derived
from the import and the row number, so running the same import again after
an interruption skips what was stored and duplicates nothing. Rows go to the
table in batches (``chalicelib/services/contacts/bulk.py``: 25 items a BatchWriteItem, a
transaction only for rows claiming a unique value). Rejected rows go to a
report with their reasons.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, TextIO

from devtools import csvfiles
from devtools.csvfiles import SAMPLE_BYTES


class Progress:
    """One status line: rows done, rows/s, ETA, and what became of them. The
    share done is rows done over the rows the file holds, estimated from the
    rows read so far and the share of its bytes they took (the reader runs
    ahead of the writers by a few batches)."""

    OUTCOMES = ("created", "updated", "exists", "unchanged", "duplicate", "rejected", "would create")

    def __init__(self, total_bytes: int | None, out: TextIO = sys.stderr, exporting: bool = False) -> None:
        self.total, self.out, self.started, self.exporting = total_bytes, out, time.monotonic(), exporting
        self.rows = self.blank = self.flagged = 0
        self.counts = dict.fromkeys(self.OUTCOMES, 0)
        self.done_bytes = self.read_rows = 0
        self._last = 0.0
        self._lock = threading.Lock()

    @property
    def rejected(self) -> int:
        return self.counts["rejected"]

    @property
    def skipped(self) -> int:
        """Rows already there: stored by an earlier run, or equal to their contact."""
        return self.counts["exists"] + self.counts["unchanged"]

    def tick(self, outcome: str = "created", *, flagged: bool = False, force: bool = False) -> None:
        with self._lock:
            self.rows += 1
            self.counts[outcome] += 1
            self.flagged += flagged
            now = time.monotonic()
            if force or now - self._last >= 0.5:
                self._last = now
                self.out.write("\r" + self.line(now))
                self.out.flush()

    def line(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.started, 1e-6)
        rate = self.rows / elapsed
        if self.exporting:
            return f"{self.rows:,} rows written  {rate:,.0f} rows/s"
        text = f"{self.rows:,} rows  {rate:,.0f} rows/s"
        if self.total and self.done_bytes and self.read_rows:
            fraction = min(self.rows / (self.read_rows * self.total / self.done_bytes), 1.0)
            bar = "#" * int(fraction * 30)
            text = f"[{bar:<30}] {fraction:6.1%}  {text}"
            # An ETA once it means something: a second in, with rows written (or at the end).
            if self.rows and (elapsed >= 1.0 or fraction >= 1.0):
                eta = elapsed * (1 - fraction) / max(fraction, 1e-6)
                text += f"  ETA {int(eta) // 60}m{int(eta) % 60:02d}s"
        blank = f"  blank {self.blank:,}" if self.blank else ""
        return (f"{text}  rejected {self.rejected:,}  already there {self.skipped:,}  "
                f"possible duplicates {self.flagged:,}{blank}")

    def summary(self, dry_run: bool = False) -> str:
        """The last line of an import: what became of every row."""
        c = self.counts
        made = f"would create {c['would create']:,}" if dry_run else f"imported {c['created']:,}"
        return (f"{made}, updated {c['updated']:,}, already there {self.skipped:,}, possible duplicates "
                f"{self.flagged:,} (not imported {c['duplicate']:,}), rejected {c['rejected']:,}, "
                f"blank rows skipped {self.blank:,}" + (" (dry run: nothing was written)" if dry_run else ""))

    def finish(self) -> None:
        self.out.write("\r" + self.line() + "\n")
        self.out.flush()


class _Counting(io.RawIOBase):
    """A byte stream that counts what was read from it (for the ETA)."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        read = self.raw.readinto(buffer)
        self.count += read or 0
        return read


def parse_maps(text: str) -> dict[str, str]:
    """``First Name=first_name Last Name=last_name Internal=``: column names
    may hold spaces; a key is letters, digits and ``_`` (or empty: skip)."""
    import re

    found = {m.group(1).strip(): m.group(2) for m in re.finditer(r"\s*(.+?)=(\w*)(?=\s|$)", text)}
    if text.strip() and not found:
        raise SystemExit(f"MAP: {text!r} is not 'Column=key Other column=key'")
    return found


SERVER_COLUMNS = ("id", "version", "created_at", "updated_at")  # what `cim export` writes beside the schema keys


def _mapping(header: list[str], overrides: dict[str, str], known: set[str]) -> dict[str, str]:
    columns = {}
    for column in header:
        key = overrides.get(column, column.strip())
        if key and key not in SERVER_COLUMNS:
            columns[column] = key
    unknown = sorted(k for k in columns.values() if k not in known)
    if unknown:
        raise SystemExit(f"columns that are not schema keys: {', '.join(unknown)} "
                         "(add them to the schema, or --map column=key / --map column= to skip)")
    return columns


def row_id(item: dict[str, Any]) -> str:
    """A row's contact id, from what the row says (its mapped values), never
    from the file's name, size or the row's line: the same row imported again,
    from this file or an edited copy, is the same contact ("already there")."""
    canonical = json.dumps(sorted((k, str(v).strip()) for k, v in item.items()), ensure_ascii=False)
    return hashlib.sha256(f"row:{canonical}".encode()).hexdigest()[:32].upper()


BATCH_ROWS = 100  # rows checked and written together (one existence read, 25 items a write)


def import_csv(path: Path, overrides: dict[str, str], workers: int = 8, report: Path | None = None,
               out: TextIO = sys.stderr, delimiter: str | None = None, encoding: str | None = None,
               update: bool = False, match_on: str | None = None, if_duplicate: str = "skip",
               dry_run: bool = False) -> Progress:
    """Create a contact for each row; with ``update``, a row naming a stored
    contact (its ``id``, or its ``match_on``: ``phone``, ``email`` or a unique
    attribute) updates it instead, with the version check of a single update
    when the row has a ``version``, and a row equal to its contact changes
    nothing. A row that shares a number or address with a stored contact or
    an earlier row of the file is a possible duplicate: reported, and
    ``skip``ped or ``create``d per ``if_duplicate``. ``dry_run``: nothing is
    written; the summary says what would be."""
    from chalicelib.core.errors import Unavailable
    from chalicelib.services.contacts import bulk
    from chalicelib.services.schema import schema

    report = report or path.with_suffix(path.suffix + ".rejected.csv")
    progress = Progress(path.stat().st_size, out)
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
        raw.seek(0)
        chosen = csvfiles.choose_encoding(sample, encoding)
        counted = _Counting(raw)
        # Bytes that do not decode are kept (as lone surrogates) so that only their row is rejected.
        text = io.TextIOWrapper(counted, encoding=chosen, newline="", errors="surrogateescape")
        header, rows = csvfiles.read_rows(text, csvfiles.choose_delimiter(sample.decode(chosen, "replace"), delimiter))
        attributes = schema.by_key()
        columns = _mapping(header, overrides, set(attributes))
        firsts = _FirstHolders(attributes, columns)
        identifiers = _FirstIdentifiers(attributes, columns)
        flagged_in_file: set[int] = set()  # created anyway (--if-duplicate create), still counted as flagged
        lists = {k for k, a in attributes.items() if a.type == "list"}
        rejected = _Report(report, header)
        stopped = threading.Event()

        updater = _Updater(columns, match_on, dry_run) if update else None

        def write(batch: list[csvfiles.Row]) -> None:
            if stopped.is_set():
                return  # an earlier batch found the table gone: leave the rest to the re-run
            if updater is not None:
                batch = [row for row in batch if not updater.handled(row, rejected, progress)]
                if not batch:
                    return
            items = [{columns[c]: _cell_value(lists, columns[c], v) for c, v in row.values.items()
                      if c in columns and v not in (None, "", MASK)} for row in batch]
            results = bulk.create_many(items, ids=[row_id(item) for item in items], if_duplicate=if_duplicate,
                                       dry_run=dry_run)
            unstored = [r for r in results if isinstance(r.error, Unavailable)]
            if unstored:
                stopped.set()
                raise SystemExit(f"the table stopped taking writes ({unstored[0].error.message}); "
                                 "run the same command again to resume")
            for row, result in zip(batch, results):
                if result.outcome == bulk.REJECTED:
                    rejected.add(row.number, result.error.message, row.raw)
                if result.duplicates:
                    rejected.add(row.number, _duplicate_reason(result.duplicates, result.outcome), row.raw)
                progress.tick(result.outcome, flagged=bool(result.duplicates) or row.number in flagged_in_file)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending: set[Future] = set()

            def submit(batch: list[csvfiles.Row]) -> None:
                nonlocal pending
                while len(pending) >= workers * 2:  # bounded: never the whole file in memory
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()
                progress.done_bytes = counted.count
                pending.add(pool.submit(write, batch))

            batch: list[csvfiles.Row] = []
            try:
                for row in rows:
                    if row.blank:
                        progress.blank += 1
                        continue
                    progress.read_rows += 1  # rows read so far (the writers trail behind)
                    reason = row.reason or firsts.claim(row)
                    if reason:  # refused by the reader, before anything is written
                        rejected.add(row.number, reason, row.raw)
                        progress.tick("rejected")
                        continue
                    earlier = identifiers.claim(row)
                    if earlier:  # a number or address an earlier row of this file has
                        rejected.add(row.number, earlier + ("" if if_duplicate == "create" else
                                                            "; not imported (--if-duplicate create imports it)"),
                                     row.raw)
                        if if_duplicate != "create":
                            progress.tick("duplicate", flagged=True)
                            continue
                        flagged_in_file.add(row.number)
                    batch.append(row)
                    if len(batch) == BATCH_ROWS:
                        submit(batch)
                        batch = []
            except UnicodeDecodeError as error:
                raise SystemExit(f"{path}: not {chosen} text near byte {counted.count}: {error.reason}; "
                                 "give --encoding (utf-8, cp1252, ...)") from None
            if batch:
                submit(batch)
            try:
                for future in pending:
                    future.result()
            finally:
                pool.shutdown(cancel_futures=True)
        progress.done_bytes = progress.total or 0
        rejected.close()
    progress.finish()
    return progress


class _Updater:
    """``--update``: rows that name a stored contact update it (by its ``id``
    column, or ``--match-on`` phone, email or a unique attribute)."""

    IDENTIFIERS = {"phone": ("phone1", "phone2"), "email": ("email",)}

    def __init__(self, columns: dict[str, str], match_on: str | None, dry_run: bool = False) -> None:
        from chalicelib.services.schema import schema

        self.columns = columns
        self.match_on = match_on
        self.dry_run = dry_run
        self.lists = {k for k, a in schema.by_key().items() if a.type == "list"}
        if match_on in self.IDENTIFIERS:
            if not any(k in columns.values() for k in self.IDENTIFIERS[match_on]):
                raise SystemExit(f"--match-on {match_on}: no column holds it ({', '.join(self.IDENTIFIERS[match_on])})")
        elif match_on is not None:
            attribute = schema.by_key().get(match_on)
            if attribute is None or not attribute.unique or match_on not in columns.values():
                raise SystemExit(f"--match-on {match_on}: phone, email, or a unique schema attribute that is a column")

    def _column(self, key: str) -> str | None:
        return next((c for c, k in self.columns.items() if k == key), None)

    def _stored(self, row: csvfiles.Row) -> Any:
        """The contact the row names; None (create it), or a DomainError when it names several."""
        from chalicelib.core.errors import Invalid, NotFound
        from chalicelib.services.contacts import contacts

        values = row.values or {}
        try:
            if self.match_on is None:
                return contacts.get(values["id"]) if values.get("id") else None
            if self.match_on in self.IDENTIFIERS:
                for key in self.IDENTIFIERS[self.match_on]:
                    given = values.get(self._column(key) or "")
                    holders = contacts.by_identifier(self.match_on, given) if given else []
                    if len(holders) > 1:
                        return Invalid(f"{key}: several contacts have {self.match_on} {given!r}; give the row an id")
                    if holders:
                        return contacts.get(holders[0])
                return None
            column = self._column(self.match_on)
            return contacts.by_unique(self.match_on, values[column]) if values.get(column) else None
        except (NotFound, Invalid):
            return None

    def handled(self, row: csvfiles.Row, rejected: _Report, progress: Progress) -> bool:
        """True when the row updated (or already equals, or names several) stored contacts."""
        from chalicelib.core.errors import DomainError
        from chalicelib.models.contact import ContactFields
        from chalicelib.services.contacts import contacts

        stored = self._stored(row)
        if stored is None:
            return False  # created with the rest
        if isinstance(stored, DomainError):
            rejected.add(row.number, stored.message, row.raw)
            progress.tick("rejected")
            return True
        values = row.values or {}
        # A masked cell (an export without --include-pii) leaves its field as it is.
        fields = {key: _cell_value(self.lists, key, values.get(column)) for column, key in self.columns.items()
                  if values.get(column) != MASK and key != "id"}
        current = stored.model_dump()
        if all(_same(current.get(key), value) for key, value in fields.items()):
            progress.tick("unchanged")  # already as the file says
            return True
        version = int(values["version"]) if str(values.get("version") or "").isdigit() else None
        try:
            checked = ContactFields.model_validate(fields)
            if not self.dry_run:
                contacts.update(stored.id, checked, version)
        except DomainError as error:
            rejected.add(row.number, error.message, row.raw)
            progress.tick("rejected")
            return True
        except ValueError as error:  # pydantic's, naming the field
            from chalicelib.models.common import describe

            rejected.add(row.number, describe(error), row.raw)
            progress.tick("rejected")
            return True
        progress.tick("updated")
        return True


def _duplicate_reason(found: list[Any], outcome: str) -> str:
    from chalicelib.services.contacts import bulk

    first = found[0]
    others = f" and {len(found) - 1} more" if len(found) > 1 else ""
    done = ("not imported (--if-duplicate create imports it)" if outcome == bulk.DUPLICATE
            else "imported anyway (--if-duplicate create)" if outcome == bulk.CREATED else f"{outcome}")
    return f"possible duplicate of contact {first.id} ({', '.join(first.reasons)}){others}; {done}"


class _FirstIdentifiers:
    """Numbers and addresses in the file: a later row with one an earlier row
    has is a possible duplicate of that row (decided in file order, before any
    write, like unique values)."""

    def __init__(self, attributes: dict[str, Any], columns: dict[str, str]) -> None:
        from chalicelib.core.settings import get_settings

        self.region = get_settings().default_region
        self.kinds = {column: attributes[key].type for column, key in columns.items()
                      if attributes[key].type in ("phone", "email")}
        self.seen: dict[tuple[str, str], int] = {}

    def claim(self, row: csvfiles.Row) -> str:
        from chalicelib.domain import callers, phones

        for column, kind in self.kinds.items():
            given = (row.values or {}).get(column)
            if not given or given == MASK:
                continue
            value = phones.to_e164(given, self.region) if kind == "phone" else callers.normalized_address(given)
            if not value:
                continue  # the row's own check names the problem
            earlier = self.seen.setdefault((kind, value), row.number)
            if earlier != row.number:
                return f"possible duplicate of row {earlier} (same {kind} in {column})"
        return ""


def _cell_value(lists: set[str], key: str, text: str | None) -> Any:
    """A cell as its attribute takes it: a list attribute's items are separated by ``;`` (as exported)."""
    if not text:
        return None
    return [item for item in text.split(";") if item] if key in lists else text


def _same(stored: Any, given: Any) -> bool:
    from chalicelib.domain.values import as_text

    return as_text(stored, ";") == as_text(given, ";")


class _FirstHolders:
    """Unique values: the first row in file order that has one keeps it;
    a later row with the same value is refused naming that row, before any
    write, so which row wins never depends on which writer is faster."""

    def __init__(self, attributes: dict[str, Any], columns: dict[str, str]) -> None:
        from chalicelib.core.settings import get_settings

        self.region = get_settings().default_region
        self.unique = {column: attributes[key] for column, key in columns.items() if attributes[key].unique}
        self.seen: dict[tuple[str, str], int] = {}

    def claim(self, row: csvfiles.Row) -> str:
        from chalicelib.core.errors import Invalid
        from chalicelib.domain import validation, values

        for column, attribute in self.unique.items():
            given = (row.values or {}).get(column)
            if not given:
                continue
            try:
                value = values.check(validation.rule_of(attribute), given, self.region).index[0]
            except (Invalid, IndexError):
                continue  # the row's own check names the problem
            earlier = self.seen.setdefault((attribute.key, value), row.number)
            if earlier != row.number:
                return f"{attribute.key}: the value is unique and row {earlier} of this file has it"
        return ""


class _Report:
    """The rejected rows, with their row numbers and reasons; the file is
    made only when a row is rejected."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path, self.header = path, header
        self.file: Any = None
        self.lock = threading.Lock()

    def add(self, number: int, reason: str, raw: list[str]) -> None:
        with self.lock:
            if self.file is None:
                self.file = self.path.open("w", newline="", encoding="utf-8")
                self.writer = csv.writer(self.file)
                self.writer.writerow(["row", "reason", *self.header])
            self.writer.writerow([number, reason, *raw])

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _all_contacts() -> Iterator[dict[str, Any]]:
    from chalicelib.store import contacts as store

    for contact in store.every():
        yield contact.doc | {"version": contact.version}


MASK = "***"  # a personal value left out of an export (and left alone by an import that reads it back)


def export(out_path: Path, fmt: str, out: TextIO = sys.stderr, include_pii: bool = False,
           excel: bool = False) -> Progress:
    """Every contact to CSV or JSON lines. Personal fields (``GET
    /privacy/fields``) are written as ``***`` unless ``include_pii``.
    ``excel``: a byte-order mark first (Excel reads BOM-less CSV as the
    machine's code page, and accents break)."""
    from chalicelib.services.schema import schema

    progress = Progress(None, out, exporting=True)
    keys = [a.key for a in schema.attributes()]
    personal = set() if include_pii else schema.pii_keys()
    if personal:
        print(f"personal fields masked ({', '.join(sorted(personal))}); --include-pii writes them", file=out)
    with out_path.open("w", newline="", encoding="utf-8-sig" if excel and fmt == "csv" else "utf-8") as target:
        if fmt == "csv":
            writer = csv.writer(target)
            writer.writerow(["id", *keys, "created_at", "updated_at", "version"])
        for contact in _all_contacts():
            if personal:
                contact = _masked(contact, personal)
            if fmt == "csv":
                writer.writerow([contact.get("id"), *(_cell(contact.get(k)) for k in keys),
                                 contact.get("created_at"), contact.get("updated_at"), contact.get("version")])
            else:
                target.write(json.dumps(contact, ensure_ascii=False) + "\n")
            progress.tick()
    progress.finish()
    return progress


def _masked(contact: dict[str, Any], personal: set[str]) -> dict[str, Any]:
    masked = {k: (MASK if k in personal and v not in (None, "", []) else v) for k, v in contact.items()}
    masked["normalized"] = {k: MASK for k in contact.get("normalized") or {}}
    masked["consents"] = {u: c | ({"address": MASK} if c.get("address") else {})
                          for u, c in (contact.get("consents") or {}).items()}
    return masked


def _cell(value: Any) -> str:
    from chalicelib.domain.values import as_text

    return as_text(value, ";")
