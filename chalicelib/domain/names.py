"""Name words for search: case-, accent- and punctuation-insensitive.

"Anneli Söderberg" -> ["anneli", "soderberg"]; "O'Brien-Smith" -> ["obrien", "smith"].
A query matches a name when each query word is the prefix of a *different*
name word, in any order.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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


PAIRED_WORDS = 4  # a name's first words that have pair entries (4 words: 12 pairs)


def pairs(name: list[str]) -> list[tuple[str, str]]:
    """The ordered pairs of a name's distinct first words: each is an index
    entry, so two words typed are found without reading past other names."""
    first = name[:PAIRED_WORDS]
    return [(a, b) for a in first for b in first if a != b]


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


@dataclass(frozen=True)
class PairPlan:
    """How a search of several words reads: first the pair entries of
    ``word`` taken whole (a word the searcher finished typing: one not last)
    with another word starting ``other``, filtered by ``rest``; these exact
    matches come first. Then the name entries of ``pivot`` (the longest
    word), for the names where ``word`` only begins a word."""
    word: str
    other: str
    rest: list[str]
    pivot: str

    @property
    def longer_words_only(self) -> bool:
        """The pivot is ``word`` itself: its exact entries are the first
        phase's, so the second reads only the names' longer words."""
        return self.pivot == self.word


def pair_plan(query_words: list[str]) -> PairPlan:
    finished = query_words[:-1]
    word = max(finished, key=len)
    others = list(query_words)
    others.remove(word)
    other = max(others, key=len)
    others.remove(other)
    longest = max(query_words, key=len)
    return PairPlan(word, other, others, word if len(word) >= len(longest) else longest)


def first_pair(plan: PairPlan, name: list[str]) -> str | None:
    """The other word under which a name is counted among the exact matches
    (its first fitting one: a name with two fitting words has two entries),
    or None when it is not one."""
    paired = name[:PAIRED_WORDS]
    if plan.word not in paired:
        return None
    fitting = [w for w in paired if w != plan.word and w.startswith(plan.other)]
    return min(fitting) if fitting else None


def first_pivot_word(pivot: str, name: list[str]) -> str:
    """The word a name is counted under when several start with the pivot."""
    return min(w for w in name if w.startswith(pivot))
