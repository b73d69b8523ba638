"""The contact-center sync on the wire: the push webhook's answer
(``POST /rci/contacts``), a pull's outcome and the sync's state
(``/rci/sync``)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.models.common import Instant


class PushResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    results: list[dict[str, Any]]
    counts: dict[str, int]


class Rejection(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str | None = None
    reason: str


class SyncRun(BaseModel):
    """One pull: what it read, stored and refused, and where it leaves the watermark."""
    model_config = ConfigDict(defer_build=True, validate_by_name=True, serialize_by_alias=True)

    started_at: Instant
    from_: Instant = Field(alias="from", description="the arrival time the pull read from")
    pages: int
    stored: int
    updated: int
    unchanged: int
    rejected: int
    rejections: list[Rejection] = Field(default_factory=list, description="the first 50 refused records")
    written_back: int = 0
    last_error: str | None = None
    more: bool = Field(False, description="the pull stopped at the request's call cap: run it again to go on")
    finished_at: Instant | None = None
    watermark: Instant | None = None


class SyncStatus(BaseModel):
    model_config = ConfigDict(defer_build=True)

    configured: bool
    running: bool
    watermark: Instant | None = None
    pendingWriteBacks: int
    runs: list[SyncRun] = Field(description="the last 20 runs, newest first")
