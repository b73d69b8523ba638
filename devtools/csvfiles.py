"""Reading the CSV files people actually have: exported by a CRM or saved by
a spreadsheet, in UTF-8 (with or without BOM) or Windows-1252, separated by
commas, semicolons or tabs, with blank rows, ragged rows and the odd quote
that is never closed.

``read_rows`` yields one ``Row`` a record, numbered by the line it starts on:
a good row's values by column, or the reason it cannot be read. A broken
quote costs its own row only: a quoted field may run over at most
``MAX_RECORD_LINES`` lines (notes with line breaks), and never over a line
that is a whole row of its own; a quote still open then is refused on its
first line, and reading goes on from the next.
"""
from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

SAMPLE_BYTES = 64 * 1024
MAX_RECORD_LINES = 5
DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t"}


@dataclass
class Row:
    number: int  # the line the record starts on (the header is line 1)
    values: dict[str, str] | None  # None: rejected, see ``reason``
    raw: list[str]
    reason: str = ""
    blank: bool = False


def choose_encoding(sample: bytes, given: str | None) -> str:
    """``given``, else UTF-8 (a BOM is dropped) when the sample reads as
    UTF-8 (more of its non-ASCII text is valid UTF-8 than not: a few rows
    pasted in from Windows do not make the file Windows-1252), else
    Windows-1252 (what a spreadsheet on Windows saves). Rows that do not read
    in the chosen encoding are rejected alone."""
    if given:
        return given
    text = sample.decode("utf-8", "surrogateescape")
    invalid = sum(1 for ch in text[:-4] if "\udc80" <= ch <= "\udcff")  # the sample may cut a character
    valid = sum(1 for ch in text if ord(ch) > 127 and not "\udc80" <= ch <= "\udcff")
    return "cp1252" if invalid and invalid >= valid else "utf-8-sig"


def unreadable(line: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in line)


def printable(values: list[str]) -> list[str]:
    """A rejected row as it can be written back (bytes that did not decode as U+FFFD)."""
    return [v.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for v in values]


def choose_delimiter(sample: str, given: str | None) -> str:
    if given:
        if given not in DELIMITERS:
            raise ValueError(f"--delimiter: one of , ; tab (not {given!r})")
        return DELIMITERS[given]
    header = sample.splitlines()[0] if sample else ""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _parse(text: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])


def _open_quote(taken: list[tuple[int, str]]) -> bool:
    """An odd count of quotes: a quoted field goes on to the next line."""
    return sum(line.count('"') for _, line in taken) % 2 == 1


def read_rows(text: TextIO, delimiter: str) -> tuple[list[str], Iterator[Row]]:
    """The header and the records after it."""
    lines = enumerate(text, start=1)
    first = next(lines, None)
    header = printable([h.strip() for h in _parse(first[1], delimiter)]) if first else []

    def whole_row(line: str) -> bool:
        """A line that reads as a complete record of the header's width."""
        return line.count('"') % 2 == 0 and len(_parse(line, delimiter)) == len(header)

    def records() -> Iterator[Row]:
        queue: deque[tuple[int, str]] = deque()
        exhausted = False

        def more() -> bool:
            nonlocal exhausted
            if exhausted:
                return False
            following = next(lines, None)
            if following is None:
                exhausted = True
                return False
            queue.append(following)
            return True

        while queue or more():
            taken = [queue.popleft()]
            start = taken[0][0]

            while _open_quote(taken) and len(taken) < MAX_RECORD_LINES and (queue or more()):
                if whole_row(queue[0][1]):  # the next line is a row of its own: the quote was never meant
                    break
                taken.append(queue.popleft())
            if any(unreadable(line) for _, line in taken):
                yield Row(start, None, printable(_parse("".join(line for _, line in taken), delimiter)),
                          reason=f"row {start} is not text in the file's encoding; save the file as UTF-8 "
                                 "or give --encoding")
                continue
            if _open_quote(taken):
                # Never closed: refuse this line alone and read the lines after it again.
                queue.extendleft(reversed(taken[1:]))
                yield Row(start, None, _parse(taken[0][1], delimiter),
                          reason=f"broken quoting: a quote opened on row {start} is not closed")
                continue
            raw = _parse("".join(line for _, line in taken), delimiter)
            if not any(v.strip() for v in raw):
                yield Row(start, None, raw, blank=True)
            elif len(raw) != len(header):
                yield Row(start, None, raw,
                          reason=f"row has {len(raw)} columns, the header has {len(header)} "
                                 f"(is a value with a {delimiter!r} not quoted?)")
            else:
                yield Row(start, dict(zip(header, raw)), raw)

    return header, records()
