"""Typed attribute values: check one value against its attribute's type and
rules, and give the form that is stored and the form that is indexed.

Pure functions: no AWS, no HTTP. Every error names the attribute.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from chalicelib.core.clock import iso
from chalicelib.core.errors import Invalid
from chalicelib.domain import callers, limits, names, phones

TYPES = ("text", "number", "boolean", "date", "datetime", "email", "phone", "url", "list")
TYPE_ALIASES = {"string": "text", "str": "text", "int": "number", "integer": "number", "float": "number",
                "bool": "boolean", "array": "list"}
DEFAULT_MAX_LENGTH = 1000
MAX_LIST_ITEMS = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Rule:
    """What a value must satisfy (the typed part of a schema attribute)."""
    key: str
    type: str
    max_length: int | None = None
    options: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Checked:
    stored: Any                 # what goes in the contact
    normalized: str | None      # E.164 phone or lower-case e-mail, shown in ``normalized``
    index: tuple[str, ...]      # the values an index entry is written for


def canonical_type(raw: str) -> str:
    name = TYPE_ALIASES.get(raw.strip().lower(), raw.strip().lower())
    if name not in TYPES:
        raise Invalid(f"type: {raw!r} is not one of {', '.join(TYPES)} (or 'string' for text)")
    return name


def check(rule: Rule, value: Any, region: str) -> Checked:
    checker = _CHECKERS[rule.type]
    return checker(rule, value, region)


def _fail(rule: Rule, why: str) -> Invalid:
    return Invalid(f"{rule.key}: {why}")


def _text(rule: Rule, value: Any, _: str) -> Checked:
    if not isinstance(value, str):
        raise _fail(rule, "must be a string")
    value = _check_text(rule, value)
    return Checked(value, None, (names.fold(value).strip(),))


def _check_text(rule: Rule, value: str) -> str:
    """``value`` as stored: an option in the schema's own spelling, whatever
    case and surrounding spaces it came with (``Gold`` is ``gold``)."""
    limit = rule.max_length or DEFAULT_MAX_LENGTH
    if len(value) > limit:
        raise _fail(rule, f"at most {limit} characters")
    if rule.options and value not in rule.options:
        spelled = {o.casefold(): o for o in rule.options}.get(value.strip().casefold())
        if spelled is None:
            raise _fail(rule, f"{value!r} is not one of {', '.join(rule.options)}")
        return spelled
    return value


def _number(rule: Rule, value: Any, _: str) -> Checked:
    if isinstance(value, str):
        try:
            value = float(value.strip()) if any(c in value for c in ".eE") else int(value.strip())
        except ValueError:
            raise _fail(rule, f"{value!r} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(rule, "must be a number")
    problem = limits.number_problem(value)
    if problem:
        raise _fail(rule, problem)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return Checked(value, None, (repr(value),))


def _boolean(rule: Rule, value: Any, _: str) -> Checked:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise _fail(rule, "must be true or false")
    return Checked(value, None, ("true" if value else "false",))


def _date(rule: Rule, value: Any, _: str) -> Checked:
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise _fail(rule, "must be a date written YYYY-MM-DD")
    text = parsed.isoformat()
    return Checked(text, None, (text,))


def _datetime(rule: Rule, value: Any, _: str) -> Checked:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise _fail(rule, "must be an ISO-8601 date and time, e.g. 2026-11-22T10:00:00Z")
    text = iso(moment)
    return Checked(text, None, (text,))


def parse_datetime(text: str) -> datetime | None:
    """Any ISO-8601 date-time (``Z`` or an offset; none means UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:  # 0001-01-01T00:00+01:00 is before year 1 in UTC: no such moment to store
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def _email(rule: Rule, value: Any, _: str) -> Checked:
    if not isinstance(value, str):
        raise _fail(rule, "must be a string")
    address = callers.normalized_address(value)
    if len(address) > 254 or not _EMAIL.match(address):
        raise _fail(rule, f"{value!r} is not an e-mail address")
    return Checked(value.strip(), address, (address,))


def _phone(rule: Rule, value: Any, region: str) -> Checked:
    if not isinstance(value, str):
        raise _fail(rule, "must be a string (a number would lose its leading + or 0)")
    e164 = phones.to_e164(value, region)
    if e164 is None:
        raise _fail(rule, phones.not_valid(value, region))
    return Checked(value.strip(), e164, (e164,))


def _url(rule: Rule, value: Any, _: str) -> Checked:
    if not isinstance(value, str):
        raise _fail(rule, "must be a string")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value.strip():
        raise _fail(rule, f"{value!r} is not an http(s) URL")
    _check_text(Rule(rule.key, "text", rule.max_length or 2048), value)
    return Checked(value.strip(), None, (value.strip(),))


def _list(rule: Rule, value: Any, _: str) -> Checked:
    if not isinstance(value, list):
        raise _fail(rule, "must be a list of strings")
    if len(value) > MAX_LIST_ITEMS:
        raise _fail(rule, f"at most {MAX_LIST_ITEMS} items")
    spelled = []
    for item in value:
        if not isinstance(item, str):
            raise _fail(rule, "must be a list of strings")
        spelled.append(_check_text(rule, item))
    value = spelled
    folded = tuple(dict.fromkeys(names.fold(i).strip() for i in value if i.strip()))
    return Checked(list(value), None, folded)


_CHECKERS = {
    "text": _text, "number": _number, "boolean": _boolean, "date": _date, "datetime": _datetime,
    "email": _email, "phone": _phone, "url": _url, "list": _list,
}


def as_text(value: Any, separator: str = ",", yes: str = "true", no: str = "false") -> str:
    """A stored value as one line of text (IVR answers, pages, CSV cells)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, list):
        return separator.join(as_text(v, separator, yes, no) for v in value)
    return str(value)


def search_value(rule: Rule, value: Any, region: str) -> str:
    """The index value a search for ``value`` looks up (one value, even for lists)."""
    if rule.type == "list":
        return _text(Rule(rule.key, "text"), value if isinstance(value, str) else str(value), region).index[0]
    return check(Rule(rule.key, rule.type), value, region).index[0]
