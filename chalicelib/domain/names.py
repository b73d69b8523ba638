"""Name words for search: case-, accent- and punctuation-insensitive.

"Anneli Söderberg" -> ["anneli", "soderberg"]; "O'Brien-Smith" -> ["obrien", "smith"].
A query matches a name when each query word is the prefix of a *different*
name word, in any order.
"""
from __future__ import annotations

import re
import unicodedata

# Letters that Unicode decomposition leaves alone but people type without.
_LATIN_FOLD = str.maketrans({
    "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
    "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
    "þ": "th", "Þ": "th", "ı": "i", "ß": "ss",
})
_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")
_WORD = re.compile(r"[^\W_]+")

MAX_NAME_WORDS = 8


def fold(text: str) -> str:
    """Lower-case, accent-free form of ``text``."""
    text = _APOSTROPHES.sub("", text.translate(_LATIN_FOLD))
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """The searchable words of ``text``, in order."""
    return _WORD.findall(fold(text))


def name_words(first_name: str | None, last_name: str | None) -> list[str]:
    """The distinct words of a name, as indexed (at most ``MAX_NAME_WORDS``)."""
    return list(dict.fromkeys(words(f"{first_name or ''} {last_name or ''}")))[:MAX_NAME_WORDS]


def matches(query_words: list[str], name: list[str]) -> bool:
    """True when each query word is a prefix of a different word of ``name``."""
    ordered = sorted(query_words, key=len, reverse=True)

    def assign(i: int, used: frozenset[int]) -> bool:
        if i == len(ordered):
            return True
        return any(
            j not in used and word.startswith(ordered[i]) and assign(i + 1, used | {j})
            for j, word in enumerate(name)
        )

    return assign(0, frozenset())
