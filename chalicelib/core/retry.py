"""Retrying a read-merge-write that lost a race, until it wins or a deadline
passes. Writers that send no version ask for "my change, on top of whatever
is there": they must never see 412 or 409 for someone else's concurrent
write, only, past the deadline, a 503 with ``Retry-After``."""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from chalicelib.core.errors import Unavailable
from chalicelib.core.settings import get_settings

T = TypeVar("T")


def until_it_wins(attempt: Callable[[], T], lost: tuple[type[Exception], ...], what: str) -> T:
    """``attempt()`` again after each ``lost`` exception, with full-jitter
    exponential backoff, for at most ``CIM_CONTENTION_SECONDS``."""
    deadline = time.monotonic() + get_settings().contention_seconds
    ceiling = 0.01
    while True:
        try:
            return attempt()
        except lost:
            pause = random.uniform(0, ceiling)
            if time.monotonic() + pause >= deadline:
                raise Unavailable(f"{what} is being changed by many writers at once; try again",
                                  retry_after=1) from None
            time.sleep(pause)
            ceiling = min(ceiling * 2, 0.25)
