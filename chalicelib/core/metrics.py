"""CloudWatch metrics in Embedded Metric Format: a JSON line on stdout, which
CloudWatch Logs turns into metrics (no API call, nothing to wait for),
written by Powertools for AWS Lambda's ``Metrics``.

Powertools is imported on a container's first request, not with the app:
its ~35 ms would count against every cold start, and most functions (the
schedules, the stream) never send a metric. Names and dimensions carry no
personal data: route templates, status classes, error codes, match kinds.
``CIM_METRICS=off`` turns them off (``make run`` does: its console is for
people), ``CIM_METRICS_NAMESPACE`` names the namespace (``CIM``).

Per request (dimension ``route``, "GET /contacts/{contact_id}"): Requests,
Latency (ms), DynamoDBCalls, ReadUnits, WriteUnits, ClientErrors,
ServerErrors; per error, Errors by ``code``; per IVR lookup, Lookups by
``match`` (unique, multiple, none) and ``via`` (http, connect) with its
LookupLatency (ms); per pull
of the contact center, SyncLagSeconds (since the last pull that caught up);
per webhook attempt, WebhookAttempts by ``outcome`` (delivered, failed), and
WebhookDeadLetters.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalicelib.core.settings import get_settings

SERVICE = "cim"


@lru_cache(maxsize=1)
def _powertools() -> tuple[Any, Any, Any] | None:
    settings = get_settings()
    if not settings.metrics:
        return None
    from aws_lambda_powertools.metrics import Metrics, MetricUnit, single_metric

    return Metrics(namespace=settings.metrics_namespace, service=SERVICE), MetricUnit, single_metric


def request(route: str, status: int, ms: float, calls: int, units: dict[str, float], code: str | None) -> None:
    """One request's figures, flushed as one EMF line (and one more for its error code)."""
    loaded = _powertools()
    if loaded is None:
        return
    metrics, unit, single_metric = loaded
    metrics.add_dimension(name="route", value=route)
    metrics.add_metric(name="Requests", unit=unit.Count, value=1)
    metrics.add_metric(name="Latency", unit=unit.Milliseconds, value=ms)
    metrics.add_metric(name="DynamoDBCalls", unit=unit.Count, value=calls)
    metrics.add_metric(name="ReadUnits", unit=unit.Count, value=units["read"])
    metrics.add_metric(name="WriteUnits", unit=unit.Count, value=units["write"])
    if status >= 500:
        metrics.add_metric(name="ServerErrors", unit=unit.Count, value=1)
    elif status >= 400:
        metrics.add_metric(name="ClientErrors", unit=unit.Count, value=1)
    metrics.flush_metrics()
    if code and status >= 400:
        with single_metric(name="Errors", unit=unit.Count, value=1, namespace=get_settings().metrics_namespace,
                           default_dimensions={"service": SERVICE}) as error:
            error.add_dimension(name="code", value=code)


def count(name: str, value: float = 1, **dimensions: str) -> None:
    """Add ``value`` to the metric ``name`` (dimension ``service``, and any
    given): webhook attempts by outcome, and the dead letters, which the
    package's alarm watches."""
    gauge(name, value, **dimensions)


def gauge(name: str, value: float, unit_name: str = "Count", **dimensions: str) -> None:
    """A level at this moment (dimension ``service``, and any given): the sync's lag in seconds."""
    loaded = _powertools()
    if loaded is None:
        return
    _, unit, single_metric = loaded
    with single_metric(name=name, unit=getattr(unit, unit_name), value=value,
                       namespace=get_settings().metrics_namespace,
                       default_dimensions={"service": SERVICE} | dimensions):
        pass


def lookup(match: str, via: str, ms: float) -> None:
    """An IVR lookup's answer: ``match`` unique, multiple or none; ``via`` http
    or connect; and its time, as ``LookupLatency`` (dimension ``service`` only,
    so one alarm watches every door's p99)."""
    loaded = _powertools()
    if loaded is None:
        return
    _, unit, single_metric = loaded
    with single_metric(name="Lookups", unit=unit.Count, value=1, namespace=get_settings().metrics_namespace,
                       default_dimensions={"service": SERVICE, "via": via}) as counted:
        counted.add_dimension(name="match", value=match)
    with single_metric(name="LookupLatency", unit=unit.Milliseconds, value=ms,
                       namespace=get_settings().metrics_namespace, default_dimensions={"service": SERVICE}):
        pass
