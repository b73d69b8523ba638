"""What one invocation cost: the DynamoDB operations it made and the
capacity units they consumed, kept on the invocation (``core/invocation``).
The store records them (boto3 events); the request log reports them; the
call cap bounds them; tests assert budgets with them."""
from __future__ import annotations

from chalicelib.core import invocation


def start_counting() -> None:
    """Count afresh on this invocation (a request is counted from its start)."""
    current = invocation.current()
    current.calls = []
    current.units = {"read": 0.0, "write": 0.0}


def record_call(operation: str) -> None:
    calls = invocation.current().calls
    if calls is not None:
        calls.append(operation)


def record_units(kind: str, units: float) -> None:
    counted = invocation.current().units
    if counted is not None:
        counted[kind] += units


# A request (or one pass of a job) makes at most this many DynamoDB calls:
# what needs more is answered a page at a time or goes on as a job.
MAX_CALLS_PER_REQUEST = 60


def stop_counting() -> None:
    """Not a request (a scheduled run): no counting, and so no call cap;
    its passes are bounded by ``CIM_JOB_SECONDS``."""
    current = invocation.current()
    current.calls = None
    current.units = None


def calls_so_far() -> int:
    return len(invocation.current().calls or [])


def budget_left(reserve: int = 0) -> bool:
    """Whether this invocation may make ``reserve`` more calls within its cap."""
    return calls_so_far() + reserve < MAX_CALLS_PER_REQUEST


def counted_calls() -> list[str]:
    """DynamoDB operations this invocation has made since it began (or ``start_counting()``)."""
    return list(invocation.current().calls or [])


def counted_units() -> dict[str, float]:
    """Read and write capacity units this invocation has consumed."""
    return dict(invocation.current().units or {"read": 0.0, "write": 0.0})
