"""A contact, the claims its unique values hold, and where it is listed.

- ``CONTACT#<id>`` / ``CONTACT``: a contact; GSI1 lists contacts newest first
  under two shards (``GSI1PK=CONTACTS#<shard>``, ``GSI1SK=<created_at>#<id>``;
  a contact written before index format 5: ``GSI1PK=CONTACTS``). Holding ``merged_into``
  instead of ``doc``, a contact merged into another (a redirect, off every
  index and listing).
- ``UNIQ#<key>#<value>`` / ``UNIQ``: the claim of a unique attribute value
  by one contact (``id``), written in the contact's transaction.
- ``UPDATED#<yyyy-mm>#<shard>`` / ``<updated_at>#<id>``: a contact under the
  month of its last change (``updated_since``).
"""
from __future__ import annotations

from chalicelib.store.entities import Entity, Key, every_shard, shard


class ContactItem(Entity):
    name, pk, sk = "contact", "CONTACT#", "CONTACT"
    LISTING_PK = "CONTACTS"
    # Every create and edit rewrites the listed copy (the whole contact): under one key that took
    # 15 % of a partition's writes at 500 calls a second; a list page merges the shards.
    LISTING_SHARDS = 2

    @classmethod
    def keys(cls, contact_id: str) -> Key:
        return {"PK": f"{cls.pk}{contact_id}", "SK": cls.sk}

    @classmethod
    def id_of(cls, pk: str) -> str:
        """The id a contact item's PK names."""
        return pk.removeprefix(cls.pk)

    @classmethod
    def listing(cls, created_at: str, contact_id: str) -> Key:
        """GSI1 attributes that order contacts newest first, in the shard the id falls in."""
        return {"GSI1PK": f"{cls.LISTING_PK}#{shard(contact_id, cls.LISTING_SHARDS)}",
                "GSI1SK": f"{created_at}#{contact_id}"}

    @classmethod
    def listing_pks(cls, *, unsharded: bool) -> list[str]:
        """The keys the list is under (``unsharded``: and the one of contacts written before the shards)."""
        return every_shard(cls.LISTING_PK, cls.LISTING_SHARDS) + ([cls.LISTING_PK] if unsharded else [])


class UniqueClaimItem(Entity):
    name, pk = "unique_claim", "UNIQ#"

    @classmethod
    def keys(cls, key: str, value: str) -> Key:
        return {"PK": f"{cls.pk}{key}#{value}", "SK": "UNIQ"}


class UpdatedItem(Entity):
    name, pk = "updated_entry", "UPDATED#"
    SHARDS = 4  # every contact write moves an entry: one key a month would take them all

    @classmethod
    def keys(cls, updated_at: str, contact_id: str) -> Key:
        """A contact under the month of its last change, in the shard its id
        falls in, in the order of changes: ``updated_since`` reads a month's
        shards from a time on and merges them (the sort key orders all of them)."""
        return {"PK": f"{cls.month_pk(updated_at[:7])}#{shard(contact_id, cls.SHARDS)}",
                "SK": f"{updated_at}#{contact_id}"}

    @classmethod
    def month_pk(cls, month: str) -> str:
        """A month of last changes as a whole (a cursor names it); its items are under ``month_pks``."""
        return f"{cls.pk}{month}"

    @classmethod
    def month_pks(cls, month: str) -> list[str]:
        return every_shard(cls.month_pk(month), cls.SHARDS)

    @classmethod
    def month_of(cls, pk: str) -> str:
        return pk.removeprefix(cls.pk)[:7]

    @staticmethod
    def change_of(sk: str) -> tuple[str, str]:
        """(updated_at, contact id) of an entry's sort key."""
        updated_at, _, contact_id = sk.rpartition("#")
        return updated_at, contact_id
