"""Webhook retries on an SQS delay queue (``CIM_WEBHOOK_RETRY_QUEUE``): a
lane whose delivery failed is sent here with the wait as ``DelaySeconds``
(at most 15 minutes, SQS's limit), and the ``webhook_retries`` function
carries it on when it comes back, so a retry comes on time without a
Lambda waiting. Longer waits (and a message lost) are left to the
one-minute schedule, which reads the lanes that are due."""
from __future__ import annotations

import json
import math

from chalicelib.store import aws

MAX_DELAY_SECONDS = 900


def send(queue_url: str, webhook_id: str, lane: str, wait_seconds: float) -> bool:
    """Ask for the lane to be carried on after ``wait_seconds``; False when
    the wait is longer than a queue can hold (the schedule will)."""
    delay = max(0, math.ceil(wait_seconds))
    if delay > MAX_DELAY_SECONDS:
        return False
    aws.client("sqs").send_message(QueueUrl=queue_url, DelaySeconds=delay,
                                   MessageBody=json.dumps({"webhook_id": webhook_id, "lane": lane}))
    return True
