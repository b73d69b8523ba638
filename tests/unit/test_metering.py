"""The cost of an invocation: counted on it, capped for requests."""
from __future__ import annotations


def test_a_request_is_counted_and_capped_and_a_tool_is_not():
    """The DynamoDB calls of an invocation live on it: a request's are counted
    from its start and capped; a tool's process (``cim sync``) is not."""
    import threading

    from chalicelib.core import invocation, metering

    seen = {}

    def tool() -> None:
        for _ in range(metering.MAX_CALLS_PER_REQUEST + 5):
            metering.record_call("Query")
        seen["tool"] = (metering.counted_calls(), metering.budget_left())

    def request() -> None:
        invocation.begin("req-1")
        for _ in range(metering.MAX_CALLS_PER_REQUEST):
            metering.record_call("Query")
        seen["request"] = (len(metering.counted_calls()), metering.budget_left())
        invocation.begin("req-2")  # the next request starts afresh
        seen["next"] = (len(metering.counted_calls()), metering.budget_left(reserve=10))

    for target in (tool, request):
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    assert seen == {"tool": ([], True), "request": (60, False), "next": (0, True)}
