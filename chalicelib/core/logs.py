"""Every line the service logs is one JSON object that names the invocation
it belongs to (``requestId``: the id the caller saw in ``X-Request-Id``, the
Connect contact, or the Lambda request), whatever handler prints it: the
Lambda runtime's, ``chalice local``'s or a test's; and, while a batch's
record or message is handled, that one (``eventId``). A line is a message (its
arguments are ids and counts, never personal values) or, for the request
log, a dict of fields."""
from __future__ import annotations

import json
import logging

from chalicelib.core import invocation

SERVICE_LOGGERS = ("cim", "cim.requests")


class InvocationLines(logging.Filter):
    """Turns each record of the service's loggers into its JSON line. A
    logger's filter sees only the records logged on that logger, hence one
    per service logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "cim_line", False):
            return True  # already turned (a record handled twice)
        fields = record.msg if isinstance(record.msg, dict) else {"message": record.getMessage()}
        line = {"level": record.levelname, "logger": record.name, "requestId": invocation.current_id()}
        event_id = invocation.current_event_id()
        if event_id:
            line["eventId"] = event_id
        line |= fields
        record.msg, record.args, record.cim_line = json.dumps(line, separators=(",", ":"), default=str), (), True
        return True


def install() -> None:
    """At import of the app: the service's loggers at INFO (unless set), each
    line JSON. Chalice gives the app's logger ("cim", which "cim.requests"
    hands its lines up to) a handler on standard output, in Lambda as
    anywhere, with its own text prefix ("cim.requests - INFO - "): it prints
    the line bare, so each log event is one JSON object that CloudWatch Logs
    Insights reads field by field."""
    for name in SERVICE_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:  # a tool that quieted one (the benchmark) keeps its choice
            logger.setLevel(logging.INFO)
        if not any(isinstance(f, InvocationLines) for f in logger.filters):
            logger.addFilter(InvocationLines())
    for handler in logging.getLogger(SERVICE_LOGGERS[0]).handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setFormatter(logging.Formatter("%(message)s"))
