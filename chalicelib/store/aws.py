"""Lazily created boto3 clients, one of each per process. Every DynamoDB call
is counted with the capacity units it consumed (``core.metering``; DynamoDB
is asked for ``ReturnConsumedCapacity=TOTAL`` on every data call, which
costs nothing).

boto3 is imported on first use, not at module import, so a cold start that
serves ``/health`` from cache pays nothing for S3.
"""
from __future__ import annotations

import threading
from typing import Any

from botocore.config import Config

from chalicelib.core import metering

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_loader: Any = None

_CONFIG = Config(
    retries={"max_attempts": 3, "mode": "standard"},
    connect_timeout=2,
    read_timeout=5,
)


_READS = {"GetItem", "Query", "BatchGetItem", "TransactGetItems"}
_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def _count_call(model: Any = None, **_: Any) -> None:
    metering.record_call(model.name if model is not None else "?")


def _ask_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
    if model.name in _READS or model.name in _WRITES:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")


def _add_capacity(parsed: dict[str, Any] | None = None, model: Any = None, **_: Any) -> None:
    if not parsed or model is None:
        return
    consumed = parsed.get("ConsumedCapacity") or []
    total = sum(c.get("CapacityUnits", 0) for c in (consumed if isinstance(consumed, list) else [consumed]))
    metering.record_units("write" if model.name in _WRITES else "read", total)


def client(service: str) -> Any:
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:

            config = _CONFIG
            if service == "s3":
                # SigV4 everywhere; path-style URLs when an emulator stands in
                # for S3 (its host has no bucket subdomains).
                import os

                style = "path" if os.environ.get("AWS_ENDPOINT_URL") else "auto"
                config = _CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": style}))
            made = _session().client(service, config=config)
            if service == "dynamodb":
                made.meta.events.register("before-call.dynamodb", _count_call)
                made.meta.events.register("provide-client-params.dynamodb", _ask_capacity)
                made.meta.events.register("after-call.dynamodb", _add_capacity)
            _clients[service] = made
        return _clients[service]


def _session() -> Any:
    """A fresh session (credentials and endpoints are read from the environment
    each time) sharing one loader of botocore's service models: reading and
    parsing their JSON is most of what creating a client costs, once per
    process is enough."""
    global _loader
    import boto3
    import botocore.loaders
    import botocore.session

    if _loader is None:
        _loader = botocore.loaders.create_loader()
    core = botocore.session.get_session()
    core.register_component("data_loader", _loader)
    return boto3.session.Session(botocore_session=core)


def dynamodb() -> Any:
    return client("dynamodb")


def s3() -> Any:
    return client("s3")


_memos: dict[str, set[str]] = {}


def memo(name: str) -> set[str]:
    """What this container has already written once (a marker), kept as long
    as its clients: forgotten with them, when a test or a tool switches tables."""
    with _lock:
        return _memos.setdefault(name, set())


def reset_clients() -> None:
    """Forget the clients (tests switch endpoints and credentials), and what was written through them."""
    with _lock:
        _clients.clear()
        _memos.clear()


# Tests and tools count through the store they exercise.
start_counting = metering.start_counting
counted_calls = metering.counted_calls
counted_units = metering.counted_units
