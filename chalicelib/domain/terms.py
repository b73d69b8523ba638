"""A contact's index terms: what it can be found by (phone, e-mail, name
words, searchable attributes) and the unique values it claims."""
from __future__ import annotations

from dataclasses import dataclass

NAME = "name"
NAME_PAIR = "name_pair"  # two words of one name, "<word> <other word>": both orders are terms
NAME_BEGINS = "name_begins"  # "<word> <other word>", keyed by the other word's first letters
NAME_TRIPLE = "name_triple"  # "<word> <word> <third word>": the first two in alphabetical order
NAME_LONG = "name_long"  # a word of a name longer than its paired words
UNIQUE = "uniq:"  # kind prefix of a unique-value claim: ``uniq:<attribute key>``
# What agents type when they have only part of a value: a number's last
# digits ("1010" for +1 415 555 1010) and a text attribute's beginning
# ("AC-10" for AC-1001). Each has index entries of its own.
PHONE_END = "phone_end"  # the last ENDING_DIGITS digits of a phone number
ENDING_DIGITS = 4
BEGINS = "begins:"  # kind prefix: ``begins:<attribute key>``, the whole normalised value
MIN_BEGINNING = 2  # characters a beginning must have (its entries are grouped by them)
BEGINNING_TYPES = ("text", "list")
UPDATED = "updated"  # the contact's last change (its ``updated_at``): ``updated_since`` lists by it
# The index format this code writes: a table whose contacts were written by an
# older one is reindexed once by the maintenance schedule. 2: number endings and
# text beginnings; 3: the IVR's card on the entries a lookup queries; 4: the
# contact on its name entries, and the entries of pairs of name words; 5: the
# entries of two beginnings, of three words, and of long names' words.
INDEX_FORMAT = 5


@dataclass(frozen=True)
class Term:
    """One index entry of a contact: ``kind`` is phone, email, name, name_pair,
    attr:<key>, uniq:<key>, phone_end (a number's last digits), begins:<key>
    or updated."""
    kind: str
    value: str

    def as_list(self) -> list[str]:
        return [self.kind, self.value]
