"""The AWS emulator (moto) used by ``make run``, the tests and ``make bench``,
made to scale the way DynamoDB does.

moto answers a base-table Query by sorting every item of the table, and
deep-copies the whole table (once per action) before each
TransactWriteItems so that it can roll back. Both make its cost grow with
the table where DynamoDB's does not: a lookup took ten times longer at 10k
contacts than at 1k, and an import slowed down with every row. moto's
rollback also swaps in the copied table, so a transaction cancelled in one
thread silently undid what another thread had just written.

Two narrow changes, which leave every answer as it was:

* a Query, of the table or of a GSI, reads only the partition it names;
* TransactWriteItems runs under one lock (transactions are isolated from
  each other, as in DynamoDB), journals the few items it touches and puts
  exactly those back when it is cancelled, instead of copying tables.

And the read units it reports are DynamoDB's: moto says 1 for any Query,
0.5 for any GetItem and 1 a key for BatchGetItem, whatever was read. Here a
GetItem or each item of a BatchGetItem costs its whole item's size in 4 KB
steps (1 unit each strongly consistent, 0.5 eventually; a missing item the
minimum), and a Query the total size of the items it evaluated, before its
filter, in 4 KB steps: a search that filters away most of what it reads
pays for all of it, as on AWS.

``tests/unit/test_emulator.py`` runs the same calls with and without these
changes and compares what they answer and what they leave in the table.
"""
from __future__ import annotations

import copy
import inspect
import json
import math
import os
import socket
import threading
from typing import Any

_installed = False
_install_lock = threading.Lock()
_transactions = threading.RLock()
_query_partition = threading.local()
_read_sizes = threading.local()  # .sizes: the bytes each read evaluated, while a read action runs


def scale_like_dynamodb() -> None:
    """Install both changes into moto's DynamoDB backend (once, idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        from moto.dynamodb import models
        from moto.dynamodb.models import table as table_module

        Table = table_module.Table
        original_query, original_all_items = Table.query, Table.all_items
        original_transact = models.DynamoDBBackend.transact_write_items

        parameters = inspect.signature(original_query)  # by name: the moto backend passes most by position

        def query(self: Any, *args: Any, **kwargs: Any) -> Any:
            """moto's Query over the one partition it names, metered (see ``_meter_reads``)."""
            bound = parameters.bind(self, *args, **kwargs)
            given = bound.arguments
            sizes = getattr(_read_sizes, "sizes", None)
            wanted_filter, projection = given.get("filter_expression"), given.get("projection_expressions")
            if sizes is not None:  # what it evaluated, before the filter and the projection, is what it costs
                given["filter_expression"] = given["projection_expressions"] = None
            _query_partition.scope = _partition_of(self, given)
            try:
                evaluated, scanned, last_key = original_query(*bound.args, **bound.kwargs)
            finally:
                _query_partition.scope = None
            if sizes is None:
                return evaluated, scanned, last_key
            sizes.append(sum(item.size() for item in evaluated))
            # What moto does after reading, as it does it: the filter, then the projection.
            found = [item for item in evaluated if wanted_filter is None or wanted_filter.expr(item)]
            return [item.project(projection) for item in found] if projection else found, scanned, last_key

        def all_items(self: Any) -> list[Any]:
            scope = getattr(_query_partition, "scope", None)
            if scope is not None and scope[0] is self:
                # Only the partition; query() sorts it by its sort key itself.
                if isinstance(scope[1], tuple):
                    return _gsi_partition(self, *scope[1], lambda: _stored(self))
                return list(self.items.get(scope[1], {}).values())
            return original_all_items(self)

        original_put, original_update = Table.put_item, models.DynamoDBBackend.update_item

        original_delete = Table.delete_item

        def put_item(self: Any, *args: Any, **kwargs: Any) -> Any:
            item = original_put(self, *args, **kwargs)
            _gsi_joined(self, item)
            _mark_changed(self, item.hash_key, item.range_key)
            return item

        def update_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
            item = original_update(self, table_name, *args, **kwargs)
            table = self.get_table(table_name)
            _gsi_joined(table, item)  # updated in place: its index keys may have moved
            _mark_changed(table, item.hash_key, item.range_key)
            return item

        def delete_item(self: Any, hash_key: Any, range_key: Any = None) -> Any:
            gone = original_delete(self, hash_key, range_key)
            _mark_changed(self, hash_key, range_key)
            return gone

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            with _transactions:
                journal = _journal(self, transact_items)
                try:
                    original_transact(self, transact_items)
                except Exception:
                    _restore(journal)
                    raise

        Table.query, Table.all_items = query, all_items
        Table.put_item, Table.delete_item, models.DynamoDBBackend.update_item = put_item, delete_item, update_item
        Table.get_item = _sized_get_item(Table.get_item)
        _meter_reads(models)
        _answer_items_as_json()
        models.DynamoDBBackend.transact_write_items = transact_write_items
        _count_writes(models.DynamoDBBackend, _DYNAMODB_WRITES)
        from moto.s3.models import S3Backend
        _count_writes(S3Backend, _S3_WRITES)
        # moto's own backup of the tables becomes the table itself: the
        # journal above is the backup now.
        models.copy = _TablesNotCopied(Table)
        _installed = True


# --- answers ------------------------------------------------------------------------------
# moto writes every answer through a serialiser that walks the operation's
# output shape member by member: a fifth of a test run's time, and 4 ms a
# record of a few KB. The item operations' answers are plain JSON (attribute
# values already typed, binary as base64), so they are written as such.

_PLAIN_JSON = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                         "BatchWriteItem", "TransactWriteItems", "TransactGetItems"})


def _answer_items_as_json() -> None:
    import base64
    import json

    from moto.dynamodb.responses import DynamoResult

    shape_walk = DynamoResult.execute_result

    def as_json(value: Any) -> Any:
        if isinstance(value, bytes):
            return base64.b64encode(value).decode()
        raise TypeError(f"not JSON: {type(value).__name__}")

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name not in _PLAIN_JSON:
            return shape_walk(self, context)
        members = context.operation_model.output_shape.members  # what the walk would keep of the top level
        text = json.dumps({k: v for k, v in self.result.items() if k in members}, default=as_json)
        # A None (written `null` after ": ", "[" or ", ") the walk would leave out: such an answer takes
        # the walk (text that merely reads like one only costs the slower way).
        if ": null" in text or "[null" in text or ", null" in text:
            return shape_walk(self, context)
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, text

    DynamoResult.execute_result = execute_result


# --- GSI partitions ---------------------------------------------------------------------
# moto answers a GSI Query by reading every item of the table. Here each table
# keeps, per GSI hash attribute and value, the keys of the items that took
# that value (built at its first GSI Query, then joined by every put and
# update); a Query reads those items and keeps the ones still holding it.

_gsi_lock = threading.Lock()


def _partition_of(table: Any, given: dict[str, Any]) -> tuple[Any, Any] | None:
    """What a Query reads: (table, hash value) for a table partition, (table,
    (attribute, value)) for a GSI partition; None for anything else (moto reads all)."""
    index_name, conditions, hash_key = given.get("index_name"), given.get("hash_key_conditions") or [], \
        given.get("hash_key")
    if index_name and len(conditions) == 1 and conditions[0][0] in _gsi_hash_attributes(table):
        return table, conditions[0]
    if not index_name and table.range_key_attr and hash_key is not None:
        return table, hash_key
    return None


def _stored(table: Any) -> list[Any]:
    if not table.range_key_attr:
        return list(table.items.values())
    return [item for partition in list(table.items.values()) for item in list(partition.values())]


def _gsi_hash_attributes(table: Any) -> set[str]:
    return {key["AttributeName"] for index in (table.global_indexes or []) for key in index.schema
            if key["KeyType"] == "HASH"}


def _gsi_members(table: Any, every_item: Any) -> dict[str, dict[Any, dict[tuple[Any, Any], None]]]:
    with _gsi_lock:
        members = table.__dict__.get("_gsi_members")
        if members is None:
            # Published first: a put landing while this reads joins it after (it waits for the lock).
            members = table.__dict__["_gsi_members"] = {attribute: {} for attribute in _gsi_hash_attributes(table)}
            for item in every_item():  # as stored: no need for moto's sorted copy
                _join(members, item)
        return members


def _join(members: dict[str, dict[Any, dict[tuple[Any, Any], None]]], item: Any) -> None:
    for attribute, partitions in members.items():
        held = item.attrs.get(attribute)
        if held is not None:
            partitions.setdefault(held, {})[(item.hash_key, item.range_key)] = None


def _gsi_joined(table: Any, item: Any) -> None:
    members = table.__dict__.get("_gsi_members")
    if members is not None and item is not None:
        with _gsi_lock:
            _join(members, item)


def _gsi_partition(table: Any, attribute: str, value: Any, every_item: Any) -> list[Any]:
    partition = _gsi_members(table, every_item)[attribute].get(value, {})
    found = []
    with _gsi_lock:
        for key in list(partition):
            hash_key, range_key = key
            current = table.items.get(hash_key)
            if range_key is not None and current is not None:
                current = current.get(range_key)
            held = current.attrs.get(attribute) if current is not None else None
            if held is None or held != value:
                partition.pop(key, None)  # deleted, or moved to another value since
            else:
                found.append(current)
    return found


# --- read units as DynamoDB counts them ----------------------------------------------

def read_units(size: int, consistent: bool) -> float:
    """What reading ``size`` bytes costs: 4 KB steps, at least one."""
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


def _sized_get_item(original: Any) -> Any:
    def get_item(self: Any, hash_key: Any, range_key: Any = None, projection_expression: Any = None) -> Any:
        sizes = getattr(_read_sizes, "sizes", None)
        if sizes is None:  # a write's own lookup (a condition, an update): not a read of the caller's
            return original(self, hash_key, range_key, projection_expression)
        whole = original(self, hash_key, range_key, None)
        sizes.append(whole.size() if whole is not None else 0)  # the whole item is read, projected or not
        return whole.project(projection_expression) if whole is not None and projection_expression else whole
    return get_item


def _meter_reads(models: Any) -> None:
    from moto.dynamodb.responses import DynamoHandler

    def metered(action: Any, name: str) -> Any:
        def run(self: Any) -> Any:
            _read_sizes.sizes = []
            try:
                result = action(self)
                sizes = _read_sizes.sizes
            finally:
                _read_sizes.sizes = None
            body = getattr(result, "result", None)
            if isinstance(body, dict) and isinstance(body.get("ConsumedCapacity"), (dict, list)):
                _replace_units(name, self.body, body, sizes)
            return result
        return run

    for name in ("get_item", "query", "batch_get_item"):
        setattr(DynamoHandler, name, metered(getattr(DynamoHandler, name), name))


def _replace_units(name: str, request: dict[str, Any], body: dict[str, Any], sizes: list[int]) -> None:
    if name == "batch_get_item":
        at = 0
        for entry, asked in zip(body["ConsumedCapacity"], request["RequestItems"].values(), strict=False):
            count = len(asked["Keys"])
            entry["CapacityUnits"] = sum(read_units(size, bool(asked.get("ConsistentRead")))
                                         for size in sizes[at:at + count])
            at += count
        return
    consistent = bool(request.get("ConsistentRead"))
    units = sum(read_units(size, consistent) for size in sizes) if name == "get_item" else \
        read_units(sum(sizes), consistent)
    body["ConsumedCapacity"]["CapacityUnits"] = units
    if "Table" in body["ConsumedCapacity"]:
        body["ConsumedCapacity"]["Table"]["CapacityUnits"] = units


# What changes the emulation's data: each call counts, so ``make run``'s
# snapshots can tell "nothing changed" without reading anything.
_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item",
                    "create_table", "delete_table", "update_table", "update_time_to_live")
_S3_WRITES = ("put_object", "delete_object", "delete_objects", "copy_object", "complete_multipart_upload",
              "create_bucket", "delete_bucket", "put_object_tagging")
_writes = [0]


def writes_so_far() -> int:
    """How many data-changing calls this process's emulation has answered."""
    return _writes[0]


def _count_writes(backend: type, names: tuple[str, ...]) -> None:
    for name in names:
        original = getattr(backend, name, None)
        if original is None:
            continue

        def counted(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            _writes[0] += 1  # before the call too: a write that fails half-way may still have changed something
            try:
                return _original(self, *args, **kwargs)
            finally:
                _writes[0] += 1

        setattr(backend, name, counted)


def emulated_items(table: str) -> list[dict[str, Any]] | None:
    """The items of ``table`` as this process's emulation holds them (the
    typed JSON a Scan answers), or None when it is not emulated here."""
    from moto.dynamodb.models import dynamodb_backends

    for regions in list(dynamodb_backends.values()):
        for backend in list(regions.values()):
            if table in backend.tables:
                for _ in range(5):  # a request thread may add a partition while this reads
                    try:
                        return [item.to_json()["Attributes"] for item in backend.tables[table].all_items()]
                    except RuntimeError:
                        continue
                raise RuntimeError(f"the table {table} kept changing while it was read")
    return None


# --- what changed, for make run's snapshots -------------------------------------
# A table whose changes are followed (``follow_changes``) keeps the keys of
# the items written since ``changed_items`` was last asked: a snapshot then
# writes those, not the whole table.

_followed: set[str] = set()
_changed: dict[str, dict[str, tuple[Any, Any]]] = {}  # table -> key as JSON -> (hash key, range key)
_changed_lock = threading.Lock()


def _mark_changed(table: Any, hash_key: Any, range_key: Any) -> None:
    if table.name not in _followed:
        return
    marker = json.dumps([hash_key.to_json(), range_key.to_json() if range_key is not None else None])
    with _changed_lock:
        _changed.setdefault(table.name, {})[marker] = (hash_key, range_key)


def follow_changes(table: str) -> bool:
    """Keep the keys of ``table``'s items as they are written, from now on;
    whether this process emulates it (else nothing can be followed)."""
    if _emulated_table(table) is None:
        return False
    _followed.add(table)
    return True


def changed_items(table: str) -> dict[str, dict[str, Any] | None] | None:
    """The items of a followed ``table`` written since the last call, by
    their key (as JSON): as they are now (typed JSON), or None when deleted.
    None when the table is not followed here."""
    found = _emulated_table(table)
    if found is None or table not in _followed:
        return None
    with _changed_lock:
        taken = _changed.pop(table, {})
    now: dict[str, dict[str, Any] | None] = {}
    for marker, (hash_key, range_key) in taken.items():
        held = found.items.get(hash_key)
        item = held.get(range_key) if held is not None and range_key is not None else held
        now[marker] = item.to_json()["Attributes"] if item is not None else None
    return now


def key_of(table: str, item: dict[str, Any]) -> str:
    """An item's key, as ``changed_items`` writes it."""
    found = _emulated_table(table)
    range_attr = found.range_key_attr if found is not None else "SK"
    hash_attr = found.hash_key_attr if found is not None else "PK"
    return json.dumps([item[hash_attr], item.get(range_attr) if range_attr else None])


def _emulated_table(table: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    for regions in list(dynamodb_backends.values()):
        for backend in list(regions.values()):
            if table in backend.tables:
                return backend.tables[table]
    return None


class _TablesNotCopied:
    """Stands in for the ``copy`` module inside moto's DynamoDB backend."""

    def __init__(self, table_class: type) -> None:
        self._table_class = table_class

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if isinstance(value, self._table_class):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _journal(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any, Any]]:
    """(table, hash key, range key, copy of the item or None) per action."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    journal = []
    for action in transact_items:
        try:
            op = next(iter(action.values()))
            table = backend.tables[op["TableName"]]
            key = op["Item"] if "Item" in op else op["Key"]
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            current = table.get_item(hash_key, range_key)
        except Exception:  # a malformed action: moto refuses it before writing anything
            continue
        journal.append((table, hash_key, range_key, copy.deepcopy(current)))
    return journal


def _restore(journal: list[tuple[Any, Any, Any, Any]]) -> None:
    for table, hash_key, range_key, before in reversed(journal):
        _mark_changed(table, hash_key, range_key)
        if before is not None:
            _gsi_joined(table, before)
        if range_key is None:
            if before is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = before
            continue
        partition = table.items.get(hash_key)
        if before is not None:
            table.items[hash_key][range_key] = before
        elif partition is not None:
            partition.pop(range_key, None)
            if not partition:
                table.items.pop(hash_key, None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server() -> Any:
    """moto's server on a free loopback port; ``AWS_ENDPOINT_URL`` points at it."""
    import logging

    from moto.server import ThreadedMotoServer


    scale_like_dynamodb()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call is noise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    # The emulator accepts any credentials; set dummies so boto3 never looks further.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    return server


def main() -> None:
    """``python -m devtools.emulator PORT``: the emulator on its own, in
    a process of its own (the benchmark keeps its client work off the
    emulator's interpreter lock this way). Stops on SIGTERM. Besides the
    AWS APIs it answers ``POST /_cim/load`` (see ``load_items``)."""
    import logging
    import signal
    import sys
    from threading import Thread

    from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    scale_like_dynamodb()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    app = _with_loader(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", int(sys.argv[1]), app, True, request_handler=MotoRequestHandler)
    Thread(target=server.serve_forever, daemon=True).start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    server.shutdown()


LOAD_PATH = "/_cim/load"


def _with_loader(app: Any) -> Any:
    """``app``, and ``POST /_cim/load`` with ``{"table", "file"}``: the items of a
    JSON-lines file put into the table inside this process (a benchmark's tier
    of the service's own items in minutes, where the API takes an hour)."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") != LOAD_PATH or environ.get("REQUEST_METHOD") != "POST":
            return app(environ, start_response)
        asked = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        loaded = load_items(asked["table"], asked["file"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"loaded": loaded}).encode()]

    return wsgi


def load_items(table: str, path: str) -> int:
    """Put each line of ``path`` (a typed item, as the store writes it) into
    ``table``, through the emulation's own put (its indexes kept): no request,
    no serialising. Answers how many."""
    emulated = _emulated_table(table)
    if emulated is None:
        raise LookupError(f"no table {table}")
    count = 0
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            emulated.put_item(json.loads(line))
            count += 1
    return count


if __name__ == "__main__":
    main()


# --- faults from below ----------------------------------------------------------------

FAULTS = {
    "dynamodb": ("ThrottlingException", "InternalServerError", "ProvisionedThroughputExceededException"),
    "s3": ("SlowDown", "InternalError"),
}


def inject_faults(client: Any, service: str, rate: float, seed: int | None = None,
                  timeouts: bool = True) -> Any:
    """Make ``rate`` of ``client``'s calls fail as AWS fails once its own
    retries are spent: throttling, an internal error, a timeout, and for
    DynamoDB transactions a conflict with another transaction. Returns the
    handler (``client.meta.events.unregister(...)`` removes it). ``make run``
    turns it on with ``CIM_FAULT_RATE`` (development only)."""
    import random

    from botocore.awsrequest import AWSResponse
    from botocore.exceptions import ReadTimeoutError

    chance = random.Random(seed)

    def maybe_fail(model: Any = None, **_: Any) -> Any:
        if model is None or chance.random() >= rate:
            return None
        kind = chance.randrange(4 if timeouts else 3)
        if kind == 3:
            raise ReadTimeoutError(endpoint_url=f"https://{service}.emulated")
        if kind == 2 and model.name == "TransactWriteItems":
            error = {"Code": "TransactionCanceledException", "Message": "Transaction cancelled (emulated)"}
            reasons = [{"Code": "TransactionConflict", "Message": "emulated"}]
            return AWSResponse(f"https://{service}.emulated", 400, {}, None), {
                "Error": error, "CancellationReasons": reasons, "ResponseMetadata": {"HTTPStatusCode": 400}}
        code = chance.choice(FAULTS[service])
        return AWSResponse(f"https://{service}.emulated", 500, {}, None), {
            "Error": {"Code": code, "Message": f"{code} (emulated)"}, "ResponseMetadata": {"HTTPStatusCode": 500}}

    client.meta.events.register(f"before-call.{service}", maybe_fail)
    return maybe_fail
