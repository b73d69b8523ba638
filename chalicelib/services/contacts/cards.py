"""A caller's card, the same wherever it pops (the desk, the signed-link
screen pop): how many calls it shows, and which attributes tell same-number
candidates apart in a chooser."""
from __future__ import annotations

from typing import Any

from chalicelib.services.schema import mapping, schema

CALLS_ON_CARD = 10  # the newest calls a card shows; the desk pages on from there


def telling_attributes() -> list[Any]:
    """What tells same-number candidates apart: an attribute a call variable maps to, else one agents search by."""
    wanted = {r.key for r in mapping.rules()}
    custom = [a for a in schema.attributes() if not a.core]
    return [a for a in custom if a.key in wanted] or [a for a in custom if a.unique or a.searchable]
