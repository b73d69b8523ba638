"""The entries a contact is found by, each written in the contact's transaction.

- ``IDX#<kind>#<value>`` / ``CONTACT#<id>``: an exact-match entry (kind
  ``phone`` holds E.164, ``email`` the lower-cased address, ``attr:<key>``
  a searchable schema attribute's normalised value).
- ``BEGINS#<key>#<first two characters>`` / ``<value>#<id>``: a text
  attribute's value, found by its beginning.
- ``NAME#<first letter>`` / ``<word>#<id>``: one entry per name word, so a
  prefix of any word is one ``begins_with`` Query. It carries the name's
  words and (up to ``NAME_CONTACT_MAX`` bytes) the contact itself, so a
  page of a search is that one Query.
- ``NAMEPAIR#<word>`` / ``<other word>#<id>``: one entry per ordered pair of
  the name's first words ("anna virtanen" and "virtanen anna"), carrying
  the same: "anna virt" is one ``begins_with`` Query that reads only
  matches, however common Anna is.
- ``NAMEBEGINS#<first letters of the other word>`` / ``<word>#<other word>#<id>``:
  the same pairs keyed by the other word's first three letters, so two
  words that each only begin a name's words ("mar gar") are one range.
- ``NAMETRIPLE#<word>#<word>`` / ``<third word>#<id>``: two words of a name
  whole (alphabetical) and a third: three words typed read only matches.
- ``NAMELONG#<first letter>`` / ``<word>#<id>``: the words of a name with
  more words than are paired, so a word past them is still found with others.
"""
from __future__ import annotations

from chalicelib.domain.names import KEYED_LETTERS
from chalicelib.store.entities import Entity, Key
from chalicelib.store.entities.contacts import ContactItem


class IndexItem(Entity):
    name, pk = "index_entry", "IDX#"

    @classmethod
    def keys(cls, kind: str, value: str, contact_id: str) -> Key:
        return {"PK": cls.pk_of(kind, value), "SK": ContactItem.pk + contact_id}  # the contact's own key names it

    @classmethod
    def pk_of(cls, kind: str, value: str) -> str:
        return f"{cls.pk}{kind}#{value}"


class BeginningItem(Entity):
    name, pk = "beginning_entry", "BEGINS#"

    @classmethod
    def keys(cls, key: str, value: str, contact_id: str) -> Key:
        """A partition per attribute and first two characters, the value itself leading the sort key."""
        return {"PK": cls.pk_of(key, value), "SK": f"{value}#{contact_id}"}

    @classmethod
    def pk_of(cls, key: str, beginning: str) -> str:
        return f"{cls.pk}{key}#{beginning[:2]}"


class NameItem(Entity):
    name, pk = "name_entry", "NAME#"

    @classmethod
    def keys(cls, token: str, contact_id: str) -> Key:
        return {"PK": cls.pk_of(token), "SK": f"{token}#{contact_id}"}

    @classmethod
    def pk_of(cls, prefix: str) -> str:
        # One partition per first character: any prefix of length >= 1 is a
        # begins_with range inside exactly one partition.
        return f"{cls.pk}{prefix[0]}"


class NameBeginsItem(Entity):
    """Two words of a name, keyed by the second's first letters, the first
    leading the sort key: "mar gar" is one range of ``NAMEBEGINS#gar``."""

    name, pk = "name_begins_entry", "NAMEBEGINS#"

    @classmethod
    def keys(cls, word: str, other: str, contact_id: str) -> Key:
        return {"PK": cls.pk_of(other), "SK": f"{word}#{other}#{contact_id}"}

    @classmethod
    def pk_of(cls, other: str) -> str:
        return f"{cls.pk}{other[:KEYED_LETTERS]}"


class NameTripleItem(Entity):
    """Two whole words of a name (alphabetical) and a third leading the sort key."""

    name, pk = "name_triple_entry", "NAMETRIPLE#"

    @classmethod
    def keys(cls, first: str, second: str, third: str, contact_id: str) -> Key:
        return {"PK": cls.pk_of(first, second), "SK": f"{third}#{contact_id}"}

    @classmethod
    def pk_of(cls, first: str, second: str) -> str:
        return f"{cls.pk}{first}#{second}"


class NameLongItem(Entity):
    """A word of a name with more words than are paired (few names are)."""

    name, pk = "name_long_entry", "NAMELONG#"

    @classmethod
    def keys(cls, word: str, contact_id: str) -> Key:
        return {"PK": cls.pk_of(word), "SK": f"{word}#{contact_id}"}

    @classmethod
    def pk_of(cls, prefix: str) -> str:
        return f"{cls.pk}{prefix[0]}"


class NamePairItem(Entity):
    name, pk = "name_pair_entry", "NAMEPAIR#"

    @classmethod
    def keys(cls, word: str, other: str, contact_id: str) -> Key:
        return {"PK": cls.pk_of(word), "SK": f"{other}#{contact_id}"}

    @classmethod
    def pk_of(cls, word: str) -> str:
        return f"{cls.pk}{word}"
