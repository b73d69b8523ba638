"""What the table can hold, checked at the edge so that bad input is a 400
naming its field, never a 500 from DynamoDB.

- JSON: at most ``MAX_DEPTH`` levels of nesting.
- Numbers: DynamoDB keeps 38 significant digits, magnitudes 1e-130 to
  9.99...e125; NaN and infinities are not numbers.
- Values that become part of a key (index entries, unique claims): at most
  ``MAX_KEY_VALUE_BYTES`` bytes of UTF-8 (DynamoDB's key limit is 1,024
  bytes for a sort key and 2,048 for a partition key, prefixes included).
- One item: at most 400 KB; a call tree is refused past ``MAX_TREE_BYTES``.
"""
from __future__ import annotations

import math
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


def number_problem(value: Any) -> str | None:
    """Why ``value`` (int, float or numeric text) cannot be stored, or None."""
    if isinstance(value, bool):
        return None
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
    """Nesting bounded and (``numbers``) every number storable, in a parsed JSON document."""
    if depth > MAX_DEPTH:
        raise Invalid(f"{where}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for key, item in value.items():
            check_json(item, key if where == "body" else f"{where}.{key}", depth + 1, numbers=numbers)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{where}[{index}]", depth + 1, numbers=numbers)
    elif numbers and isinstance(value, (int, float)):
        problem = number_problem(value)
        if problem:
            raise Invalid(f"{where}: {problem}")


def check_key_value(field: str, value: str) -> None:
    """A value that becomes part of a table key fits DynamoDB's key limit."""
    size = len(value.encode("utf-8"))
    if size > MAX_KEY_VALUE_BYTES:
        raise Invalid(f"{field}: a searchable or unique value takes at most {MAX_KEY_VALUE_BYTES} bytes "
                      f"of UTF-8 (this one takes {size})")
