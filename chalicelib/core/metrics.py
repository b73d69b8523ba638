"""Counts CloudWatch can alarm on, written as Embedded Metric Format log
lines by Powertools (no API call, no client: Lambda's log delivery turns
them into metrics). Imported on first use, so a cold start that counts
nothing pays nothing for it."""
from __future__ import annotations

NAMESPACE = "CIM"
SERVICE = {"service": "cim"}


def count(name: str, value: float = 1) -> None:
    """Add ``value`` to the metric ``name`` (namespace ``CIM``, dimension ``service=cim``)."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=NAMESPACE,
                       default_dimensions=SERVICE):
        pass
