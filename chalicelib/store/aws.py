"""Lazily created boto3 clients, one of each per process, and a per-request
counter of DynamoDB calls and the capacity units they consumed (tests assert
budgets with it; the request log reports it; DynamoDB is asked for
``ReturnConsumedCapacity=TOTAL`` on every data call, which costs nothing).

boto3 is imported on first use, not at module import, so a cold start that
serves ``/health`` from cache pays nothing for S3.
"""
from __future__ import annotations

import threading
from typing import Any

from botocore.config import Config

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_calls = threading.local()

_CONFIG = Config(
    retries={"max_attempts": 3, "mode": "standard"},
    connect_timeout=2,
    read_timeout=5,
)


_READS = {"GetItem", "Query", "BatchGetItem", "TransactGetItems"}
_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def _count_call(model: Any = None, **_: Any) -> None:
    log = getattr(_calls, "ops", None)
    if log is not None:
        log.append(model.name if model is not None else "?")


def _ask_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
    if model.name in _READS or model.name in _WRITES:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")


def _add_capacity(parsed: dict[str, Any] | None = None, model: Any = None, **_: Any) -> None:
    units = getattr(_calls, "units", None)
    if units is None or not parsed or model is None:
        return
    consumed = parsed.get("ConsumedCapacity") or []
    total = sum(c.get("CapacityUnits", 0) for c in (consumed if isinstance(consumed, list) else [consumed]))
    units["write" if model.name in _WRITES else "read"] += total


def client(service: str) -> Any:
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:
            import boto3

            config = _CONFIG
            if service == "s3":
                # SigV4 everywhere; path-style URLs when an emulator stands in
                # for S3 (its host has no bucket subdomains).
                import os

                style = "path" if os.environ.get("AWS_ENDPOINT_URL") else "auto"
                config = _CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": style}))
            made = boto3.session.Session().client(service, config=config)
            if service == "dynamodb":
                made.meta.events.register("before-call.dynamodb", _count_call)
                made.meta.events.register("provide-client-params.dynamodb", _ask_capacity)
                made.meta.events.register("after-call.dynamodb", _add_capacity)
            _clients[service] = made
        return _clients[service]


def dynamodb() -> Any:
    return client("dynamodb")


def s3() -> Any:
    return client("s3")


def reset_clients() -> None:
    """Forget the clients (tests switch endpoints and credentials)."""
    with _lock:
        _clients.clear()


def start_counting() -> None:
    _calls.ops = []
    _calls.units = {"read": 0.0, "write": 0.0}


def counted_units() -> dict[str, float]:
    """Read and write capacity units consumed on this thread since ``start_counting()``."""
    return dict(getattr(_calls, "units", None) or {"read": 0.0, "write": 0.0})


def counted_calls() -> list[str]:
    """DynamoDB operations made on this thread since ``start_counting()``."""
    return list(getattr(_calls, "ops", None) or [])
