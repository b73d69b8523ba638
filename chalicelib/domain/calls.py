"""A call's line in a history: what a contact's history shows of each call
without reading its tree (when, which channels, how many legs, how it was
closed, how long). It rides on each history entry, rewritten with the tree;
it holds nothing of the caller (no number, no note), so an erasure that
keeps a call for someone else has nothing to take from it."""
from __future__ import annotations

from typing import Any

from chalicelib.domain.values import parse_datetime


def channels_of(legs: list[dict[str, Any]]) -> list[str]:
    """The channels a call's legs went through (voice, chat, ...), as a history shows them."""
    return sorted({str(leg.get("type") or leg.get("interaction_type") or "call") for leg in legs})


def summary_of(tree: dict[str, Any]) -> dict[str, Any]:
    legs = list((tree.get("legs") or {}).values())
    channels = channels_of(legs)
    wrapups = tree.get("wrapups") or []
    start, end = tree.get("start_time"), tree.get("end_time")
    began, ended = (parse_datetime(start) if start else None), (parse_datetime(end) if end else None)
    seconds = round((ended - began).total_seconds()) if began and ended else None
    return {"call_Id": tree["call_Id"], "start_time": start, "end_time": end, "channels": channels,
            "legs": len(legs), "last_wrapup": wrapups[-1].get("label") if wrapups else None, "seconds": seconds,
            "notes": len(tree.get("notes") or []), "files": len(tree.get("attachments") or [])}
