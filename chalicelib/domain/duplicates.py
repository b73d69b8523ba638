"""When two contacts are likely one person: they share a phone number or an
e-mail address, and how alike their names are (rapidfuzz's token-sort
ratio over folded name words, so "Söderberg, Anneli" is "Anneli Soderberg").

The score combines the reasons as independent evidence,
``1 - (1 - phone)(1 - email)(1 - name)``: a shared address (0.7) says more
than a shared number (0.5: families and switchboards share numbers), and a
similar name (its similarity x 0.8) on top of either makes it near certain.
A name alone is never a reason (many people share a name)."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import names

PHONE_WEIGHT, EMAIL_WEIGHT, NAME_WEIGHT = 0.5, 0.7, 0.8
NAME_ALIKE = 0.8  # token-sort similarity from which names count as a reason


@dataclass(frozen=True)
class Candidate:
    id: str
    reasons: tuple[str, ...]  # "email", "phone", "name"
    score: float


def name_similarity(first: dict, second: dict) -> float:
    """0..1: how alike two contacts' names are (0 when either has none)."""
    from rapidfuzz import fuzz

    one = " ".join(names.name_words(first.get("first_name"), first.get("last_name")))
    two = " ".join(names.name_words(second.get("first_name"), second.get("last_name")))
    if not one or not two:
        return 0.0
    return fuzz.token_sort_ratio(one, two) / 100


def judge(contact: dict, other: dict, shared: set[str]) -> Candidate:
    """``other`` as a possible duplicate of ``contact``, given the kinds of
    identifier they share (``phone``, ``email``)."""
    similarity = name_similarity(contact, other)
    reasons = sorted(shared) + (["name"] if similarity >= NAME_ALIKE else [])
    unlikely = (1 - PHONE_WEIGHT * ("phone" in shared)) * (1 - EMAIL_WEIGHT * ("email" in shared))
    unlikely *= 1 - NAME_WEIGHT * similarity if "name" in reasons else 1
    return Candidate(other["id"], tuple(reasons), round(1 - unlikely, 2))
