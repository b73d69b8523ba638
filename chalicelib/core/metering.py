"""What one request cost: the DynamoDB operations it made and the capacity
units they consumed, counted per thread. The store records them (boto3
events); the request log reports them; tests assert budgets with them."""
from __future__ import annotations

import threading

_local = threading.local()


def start_counting() -> None:
    _local.ops = []
    _local.units = {"read": 0.0, "write": 0.0}


def record_call(operation: str) -> None:
    ops = getattr(_local, "ops", None)
    if ops is not None:
        ops.append(operation)


def record_units(kind: str, units: float) -> None:
    counted = getattr(_local, "units", None)
    if counted is not None:
        counted[kind] += units


# A request (or one pass of a job) makes at most this many DynamoDB calls:
# what needs more is answered a page at a time or goes on as a job.
MAX_CALLS_PER_REQUEST = 60


def stop_counting() -> None:
    """Not a request (a scheduled run): no counting, and so no call cap;
    its passes are bounded by ``CIM_JOB_SECONDS``."""
    _local.ops = None
    _local.units = None


def calls_so_far() -> int:
    return len(getattr(_local, "ops", None) or [])


def budget_left(reserve: int = 0) -> bool:
    """Whether this request may make ``reserve`` more calls within its cap."""
    return calls_so_far() + reserve < MAX_CALLS_PER_REQUEST


def counted_calls() -> list[str]:
    """DynamoDB operations made on this thread since ``start_counting()``."""
    return list(getattr(_local, "ops", None) or [])


def counted_units() -> dict[str, float]:
    """Read and write capacity units consumed on this thread since ``start_counting()``."""
    return dict(getattr(_local, "units", None) or {"read": 0.0, "write": 0.0})
