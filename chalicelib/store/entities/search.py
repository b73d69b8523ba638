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
"""
from __future__ import annotations

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


class NamePairItem(Entity):
    name, pk = "name_pair_entry", "NAMEPAIR#"

    @classmethod
    def keys(cls, word: str, other: str, contact_id: str) -> Key:
        return {"PK": cls.pk_of(word), "SK": f"{other}#{contact_id}"}

    @classmethod
    def pk_of(cls, word: str) -> str:
        return f"{cls.pk}{word}"
