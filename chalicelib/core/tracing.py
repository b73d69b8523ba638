"""X-Ray traces of what a request waits on: a subsegment for every AWS call
(DynamoDB, S3, SSM, EventBridge, SQS: operation, table, status, time) and
for every outside HTTP call (the contact center, webhook targets, the
identity provider), beside the invocation's own segment that Lambda makes
when the function's tracing is `Active`.

Powertools' ``Tracer`` patches botocore and ``http.client`` (what urllib
and urllib3 send through) once per container, on its first invocation, not
at import. In Lambda that costs about 30 ms, once (measured with the app
loaded): there the X-Ray SDK takes Lambda's sampling decision and makes no
client of its own (outside Lambda it builds a sampling client and reads its
service model, which is why it is never started there). ``CIM_TRACING=off``
leaves it out.
"""
from __future__ import annotations

import os
from functools import lru_cache

from chalicelib.core.settings import get_settings

PATCHED = ("botocore", "httplib")


def in_lambda() -> bool:
    """A Lambda runtime sets both; ``make run``, the tests and the tools set neither."""
    return bool(os.environ.get("LAMBDA_TASK_ROOT") and os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


@lru_cache(maxsize=1)
def start() -> bool:
    """Patch the calls a trace follows, once per process; whether traces are on."""
    if not (in_lambda() and get_settings().tracing):
        return False
    from aws_lambda_powertools.tracing import Tracer
    from aws_xray_sdk.core import xray_recorder
    from aws_xray_sdk.ext.httplib import add_ignored

    Tracer(service="cim", patch_modules=PATCHED)
    # A call made where the SDK finds no segment goes untraced, without an error line of its own.
    xray_recorder.configure(context_missing="IGNORE_ERROR")
    # An AWS call is already its botocore subsegment: not once more as HTTP under it.
    add_ignored(subclass="botocore.awsrequest.AWSHTTPConnection")
    return True
