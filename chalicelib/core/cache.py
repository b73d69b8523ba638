"""A value kept for a few seconds per Lambda container, dropped at once when
this container changes it (other containers see the change within the TTL)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
_every: list[Cached] = []


def invalidate_all() -> None:
    """Forget every cached value (tests switch tables between cases)."""
    for cached in _every:
        cached.invalidate()


class Cached(Generic[T]):
    def __init__(self, load: Callable[[], T], seconds: Callable[[], float],
                 final: Callable[[T], bool] | None = None) -> None:
        """``final``: a value that can no longer change, kept until invalidated."""
        self._load = load
        self._seconds = seconds
        self._final = final
        self._value: T | None = None
        self._at = 0.0
        self._lock = threading.Lock()
        _every.append(self)

    def get(self) -> T:
        with self._lock:
            if self._value is None or (time.monotonic() - self._at > self._seconds()
                                       and not (self._final and self._final(self._value))):
                self._value = self._load()
                self._at = time.monotonic()
            return self._value

    def invalidate(self) -> None:
        with self._lock:
            self._value = None
