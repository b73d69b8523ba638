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
KEYED_LETTERS = 3  # a beginning entry is keyed by its word's first letters: a word typed this long picks its key


def pairs(name: list[str]) -> list[tuple[str, str]]:
    """The ordered pairs of a name's distinct first words: each is an index
    entry, so two words typed are found without reading past other names."""
    first = name[:PAIRED_WORDS]
    return [(a, b) for a in first for b in first if a != b]


def beginning_pairs(name: list[str]) -> list[tuple[str, str]]:
    """The pairs whose second word is long enough to key a beginning entry
    (``NAMEBEGINS#<its first letters>``): two words typed that each only
    begin a word are one range of one key."""
    return [(a, b) for a, b in pairs(name) if len(b) >= KEYED_LETTERS]


def triples(name: list[str]) -> list[tuple[str, str, str]]:
    """Two of a name's first words (in alphabetical order: typed in any order,
    they name one key) and a third: three words typed read only matches."""
    first = name[:PAIRED_WORDS]
    return [(a, b, c) for a in first for b in first if a < b for c in first if c not in (a, b)]


def is_long(name: list[str]) -> bool:
    """More words than are paired: such a name also has entries of its own
    kind, so a search finds it by a word beyond its first ones."""
    return len(name) > PAIRED_WORDS


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
    """How a search of several words reads, in phases, exact matches first:

    1. ``triple`` (three words or more, two of them finished): names holding
       both finished words whole and a third word starting ``third``;
    2. the pair entries of ``word`` taken whole (the longest word the
       searcher finished: one not last) with another word starting
       ``other``, filtered by ``rest``;
    3. the names where ``word`` only begins a longer word: the beginning
       entries keyed by ``other``'s first letters (when it has as many);
       names longer than their paired words, by ``pivot``;
    otherwise (a short ``other``, or a table still being reindexed) the
    name entries of ``pivot`` (the longest word), filtered."""
    word: str
    other: str
    rest: list[str]
    pivot: str
    triple: tuple[str, str] | None = None
    third: str | None = None

    @property
    def longer_words_only(self) -> bool:
        """The pivot is ``word`` itself: its exact entries are the first
        phase's, so the second reads only the names' longer words."""
        return self.pivot == self.word

    @property
    def keyed(self) -> bool:
        """``other`` is long enough to pick the key of its beginning entries."""
        return len(self.other) >= KEYED_LETTERS


def pair_plan(query_words: list[str]) -> PairPlan:
    finished = query_words[:-1]
    word = max(finished, key=len)
    others = list(query_words)
    others.remove(word)
    other = max(others, key=len)
    others.remove(other)
    longest = max(query_words, key=len)
    triple = third = None
    if len(finished) >= 2:
        two = sorted(finished, key=len, reverse=True)[:2]
        left = list(query_words)
        for w in two:
            left.remove(w)
        triple, third = (min(two), max(two)), max(left, key=len)
    return PairPlan(word, other, others, word if len(word) >= len(longest) else longest, triple, third)


def first_triple(plan: PairPlan, name: list[str]) -> str | None:
    """The third word under which a name is counted among the triples' matches, or None."""
    paired = name[:PAIRED_WORDS]
    if plan.triple is None or plan.third is None or not all(w in paired for w in plan.triple):
        return None
    fitting = [w for w in paired if w not in plan.triple and w.startswith(plan.third)]
    return min(fitting) if fitting else None


def first_pair(plan: PairPlan, name: list[str]) -> str | None:
    """The other word under which a name is counted among the exact matches
    (its first fitting one: a name with two fitting words has two entries),
    or None when it is not one."""
    paired = name[:PAIRED_WORDS]
    if plan.word not in paired:
        return None
    fitting = [w for w in paired if w != plan.word and w.startswith(plan.other)]
    return min(fitting) if fitting else None


def first_beginning(plan: PairPlan, name: list[str]) -> tuple[str, str] | None:
    """The (longer word, other word) under which a name is counted among the
    beginning entries' matches: a paired word that ``plan.word`` only
    begins, and another starting ``plan.other``; None for a name the pair
    phase finds, or one these entries do not hold."""
    if first_pair(plan, name) is not None:
        return None
    paired = name[:PAIRED_WORDS]
    for longer in sorted(w for w in paired if w != plan.word and w.startswith(plan.word)):
        fitting = [w for w in paired if w != longer and len(w) >= KEYED_LETTERS and w.startswith(plan.other)]
        if fitting:
            return longer, min(fitting)
    return None


def beyond_pairs(plan: PairPlan, name: list[str]) -> bool:
    """A long name the pair and beginning phases cannot find (its fitting
    words lie past its paired ones): the long-name phase counts it."""
    return is_long(name) and first_pair(plan, name) is None and first_beginning(plan, name) is None


def first_pivot_word(pivot: str, name: list[str]) -> str:
    """The word a name is counted under when several start with the pivot."""
    return min(w for w in name if w.startswith(pivot))
