"""What the table can hold, checked at the edge so that bad input is a 400
naming its field, never a 500 from DynamoDB.

- JSON: at most ``MAX_DEPTH`` levels of nesting.
- Numbers: DynamoDB keeps 38 significant digits, magnitudes 1e-130 to
  9.99...e125; NaN and infinities are not numbers.
- Values that become part of a key (index entries, unique claims): at most
  ``MAX_KEY_VALUE_BYTES`` bytes of UTF-8 (DynamoDB's key limit is 1,024
  bytes for a sort key and 2,048 for a partition key, prefixes included).
- One item: at most 400 KB; a call tree is refused past ``MAX_TREE_BYTES``.
- Text: valid Unicode (no lone surrogates, which no UTF-8 encoder takes) and
  no control characters but tab, newline and carriage return (none at all in
  a name, an identifier, a key or a query parameter).
- Integers are judged by their digit count before Python converts them
  (``MAX_INT_CHARS``), so a 5,000-digit number is a 400, not a conversion error.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.core.errors import Invalid

MAX_DEPTH = 32
MAX_DIGITS = 38
MAX_EXPONENT, MIN_EXPONENT = 125, -130
MAX_KEY_VALUE_BYTES = 900
MAX_TREE_BYTES = 350 * 1024  # of a call's legs: the rest of its 400 KB item is the tree's own fields
MAX_NAME_WORDS = 6  # words a name search may give
MAX_NAME_QUERY_CHARS = 200
MAX_NAME_PAGE = 100  # contacts a name search answers a page
MAX_INT_CHARS = 60  # longer integer literals stay Decimal (refused as too many digits), never int()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def json_int(text: str) -> int | Decimal:
    """``json.loads``'s ``parse_int``: a long literal stays a Decimal, which
    the number check then refuses, instead of Python's digit-limit error."""
    return int(text) if len(text) <= MAX_INT_CHARS else Decimal(text)


def text_problem(value: str, *, strict: bool = False) -> str | None:
    """Why a string cannot be stored or shown, or None. ``strict``: no control
    character at all (names, identifiers, keys, query parameters)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text (a lone surrogate)"
    if (_ANY_CONTROL if strict else _CONTROL).search(value):
        return "must not hold control characters" if strict else \
            "must not hold control characters (tab and line breaks are allowed)"
    return None


def check_text(field: str, value: str, *, strict: bool = False) -> str:
    """``value``, or Invalid naming ``field``."""
    problem = text_problem(value, strict=strict)
    if problem:
        raise Invalid(f"{field}: {problem}", field=field)
    return value


def number_problem(value: Any) -> str | None:
    """Why ``value`` (int, float or numeric text) cannot be stored, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > MAX_INT_CHARS:
        return f"has more than {MAX_DIGITS} digits"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    if isinstance(value, int) and len(str(abs(value))) > MAX_DIGITS:  # every digit of an integer is stored
        return f"has more than {MAX_DIGITS} digits"
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        return None  # not a number at all: the type check says so
    if not number.is_finite():
        return "must be a finite number"
    if number == 0:
        return None
    # Significant digits, counted without rounding (normalize() would round to the context's 28).
    digits = len("".join(map(str, number.as_tuple().digits)).strip("0"))
    if digits > MAX_DIGITS:
        return f"has more than {MAX_DIGITS} significant digits"
    if not MIN_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        return f"must lie between 1e{MIN_EXPONENT} and 1e{MAX_EXPONENT + 1} in size"
    return None


def check_json(value: Any, where: str = "body", depth: int = 0, *, numbers: bool = True) -> None:
    """Nesting bounded and (``numbers``) every number and string storable, in
    a parsed JSON document (batch routes check values per item instead)."""
    if depth > MAX_DEPTH:
        raise Invalid(f"{where}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for key, item in value.items():
            name = key if where == "body" else f"{where}.{key}"
            if numbers and isinstance(key, str) and text_problem(key, strict=True):
                raise Invalid(f"{where}: a field name {text_problem(key, strict=True)}")
            check_json(item, name, depth + 1, numbers=numbers)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{where}[{index}]", depth + 1, numbers=numbers)
    elif numbers and isinstance(value, str):
        check_text(where, value)
    elif numbers and isinstance(value, (int, float, Decimal)):
        problem = number_problem(value)
        if problem:
            raise Invalid(f"{where}: {problem}")


def check_key_value(field: str, value: str) -> None:
    """A value that becomes part of a table key fits DynamoDB's key limit."""
    check_text(field, value, strict=True)
    size = len(value.encode("utf-8"))
    if size > MAX_KEY_VALUE_BYTES:
        raise Invalid(f"{field}: a searchable or unique value takes at most {MAX_KEY_VALUE_BYTES} bytes "
                      f"of UTF-8 (this one takes {size})")

# A filtered search reads its index page by page until its own page is full:
# at most this many reads (each 1 Query + 1 BatchGetItem) per request.
MAX_SEARCH_READS = 4
