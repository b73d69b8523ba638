"""The contact-center push webhook's answer (``POST /rci/contacts``)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class PushResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    results: list[dict[str, Any]]
    counts: dict[str, int]
