"""Phone numbers: whatever format arrives, one E.164 form is stored and searched.

``phonenumbers`` does the parsing. On top of it one rule: a number written
with the ITU international prefix ``00`` (``0014155550100``) is international
even where the default region dials abroad with another prefix (``011`` in
North America), so ``00`` is tried as ``+`` when the plain parse gives no
possible number.

A number must be *valid* for its region (libphonenumber's
``is_valid_number``), not just possible: ``040 123 2040`` with the default
region US would become ``+10401232040``, which no US number can be, and is
refused instead. Invisible format characters that copy and paste brings
along (direction marks, zero-width spaces) are removed first.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

MAX_PHONE_CHARS = 64


@lru_cache(maxsize=1)
def _library():
    """phonenumbers, imported on the first number (its metadata is the
    largest import of the app: the cold start does not pay for it)."""
    import phonenumbers

    return phonenumbers


def to_e164(raw: str, default_region: str) -> str | None:
    """The E.164 form of ``raw``, or None when it is not a valid phone number."""
    text = "".join(ch for ch in raw if unicodedata.category(ch) != "Cf").strip()
    if not text or len(text) > MAX_PHONE_CHARS:
        return None
    found = _parse(text, default_region)
    if found is None:
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits.startswith("00") and not text.lstrip().startswith("+"):
            found = _parse("+" + digits[2:], default_region)
    return found


def _parse(text: str, region: str) -> str | None:
    library = _library()
    try:
        number = library.parse(text, region.upper())
    except library.NumberParseException:
        return None
    if not library.is_valid_number(number):
        return None
    e164 = library.format_number(number, library.PhoneNumberFormat.E164)
    # Degenerate input (runs of zeros) can give an E.164 form that reads back
    # as another number; such a form would never find its own contact.
    if library.format_number(library.parse(e164, None), library.PhoneNumberFormat.E164) != e164:
        return None
    return e164


def not_valid(raw: str, region: str) -> str:
    """Why ``raw`` was refused, in words a caller can act on."""
    return (f"{raw!r} is not a valid phone number (a number without a country code is read as one of "
            f"{region.upper()}; give it with + and its country code)")
