"""A call (its tree) and the entries that find it.

- ``CALL#<call_Id>`` / ``CALL``: an interaction tree, its legs in one item;
  GSI1 lists the calls first saved on a day, spread over ``DAY_SHARDS``
  keys (``GSI1PK=CALLDAY#<yyyy-mm-dd>#<shard>``; every leg rewrites the tree,
  and one key would take every leg of the day), so a retention change
  reaches them with a Query a shard a day.
- ``CALLDAYS#<yyyy-mm>`` / ``<yyyy-mm-dd>``: some call of that day is listed under its shards.
- ``HIST#<contact id>`` / ``<start_time>#<call_Id>``: a call in a contact's
  history (newest first is one Query), carrying the row the history shows.
- ``CALLS#<kind>#<value>`` / ``<start_time>#<call_Id>``: the calls from one
  number (or address), so a contact created later finds them.
- ``CALLER#<kind>#<value>`` / ``SEEN``: that number has called at least once,
  so a contact written learns with one BatchGetItem which of its numbers
  have calls to adopt, instead of one Query per number.
"""
from __future__ import annotations

from chalicelib.store.entities import Entity, Key, every_shard, shard


class CallItem(Entity):
    name, pk = "call", "CALL#"
    DAY_PK = "CALLDAY#"
    DAY_SHARDS = 64  # at 500 calls/s of 3 legs, a shard takes under a tenth of a partition's writes

    @classmethod
    def keys(cls, call_id: str) -> Key:
        return {"PK": f"{cls.pk}{call_id}", "SK": "CALL"}

    @classmethod
    def day_listing(cls, created_at: str, call_id: str) -> Key:
        """GSI1 attributes listing a call under the day it was first saved, in
        the shard its id falls in (the same one on every write of the tree)."""
        return {"GSI1PK": f"{cls.day_pk(created_at[:10])}#{shard(call_id, cls.DAY_SHARDS)}",
                "GSI1SK": f"{created_at}#{call_id}"}

    @classmethod
    def day_pk(cls, day: str) -> str:
        """The day's key before calls were spread over shards (trees not rewritten since keep it)."""
        return f"{cls.DAY_PK}{day}"

    @classmethod
    def day_shard_pks(cls, day: str) -> list[str]:
        """The keys a day's calls are listed under (besides ``day_pk`` for trees not rewritten since)."""
        return every_shard(cls.day_pk(day), cls.DAY_SHARDS)


class CallDayItem(Entity):
    """Some call of a day is listed under its shards (a retention job reads them only then)."""

    name, pk = "call_day_marker", "CALLDAYS#"

    @classmethod
    def keys(cls, day: str) -> Key:
        return {"PK": f"{cls.pk}{day[:7]}", "SK": day}


class HistoryItem(Entity):
    name, pk = "history_entry", "HIST#"

    @classmethod
    def keys(cls, contact_id: str, start_time: str, call_id: str) -> Key:
        return {"PK": cls.pk_of(contact_id), "SK": f"{start_time}#{call_id}"}

    @classmethod
    def pk_of(cls, contact_id: str) -> str:
        return f"{cls.pk}{contact_id}"


class CallsFromItem(Entity):
    name, pk = "calls_from_entry", "CALLS#"

    @classmethod
    def keys(cls, kind: str, value: str, start_time: str, call_id: str) -> Key:
        return {"PK": cls.pk_of(kind, value), "SK": f"{start_time}#{call_id}"}

    @classmethod
    def pk_of(cls, kind: str, value: str) -> str:
        return f"{cls.pk}{kind}#{value}"


class CallerSeenItem(Entity):
    name, pk, sk = "caller_seen", "CALLER#", "SEEN"

    @classmethod
    def keys(cls, kind: str, value: str) -> Key:
        return {"PK": f"{cls.pk}{kind}#{value}", "SK": cls.sk}
