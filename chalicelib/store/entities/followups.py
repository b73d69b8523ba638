"""Follow-ups and the cards an agent opened.

- ``FOLLOWUPS#<contact id>`` / ``<id>``: a follow-up (a callback or a task)
  promised to a contact; GSI1 lists an owner's by state, soonest due first
  (``GSI1PK=FOLLOWUPS#<owner>#<state>``, ``GSI1SK=<due_at>#<id>``).
- ``FOLLOWUP#<id>`` / ``FOLLOWUP``: says whose contact it is.
- ``CALLBACKSYNC`` / ``<id>``: a callback still to send to the contact center.
- ``RECENT#<agent>`` / ``<contact id>``: an agent opened that contact's card;
  GSI1 lists them newest first (``GSI1PK=RECENT#<agent>``, ``GSI1SK=<at>``); expires via TTL.
"""
from __future__ import annotations

from chalicelib.models.followups import Followup
from chalicelib.store.entities import Entity, Key


class FollowupItem(Entity):
    name, pk = "followup", "FOLLOWUPS#"
    record = Followup

    @classmethod
    def keys(cls, contact_id: str, followup_id: str) -> Key:
        return {"PK": cls.pk_of(contact_id), "SK": followup_id}

    @classmethod
    def pk_of(cls, contact_id: str) -> str:
        return f"{cls.pk}{contact_id}"

    @classmethod
    def listing(cls, owner: str, state: str, due_at: str, followup_id: str) -> Key:
        """GSI1 attributes listing a follow-up under its owner and state, soonest due first."""
        return {"GSI1PK": cls.owner_pk(owner, state), "GSI1SK": f"{due_at}#{followup_id}"}

    @classmethod
    def owner_pk(cls, owner: str, state: str) -> str:
        return f"{cls.pk}{owner}#{state}"


class FollowupPointerItem(Entity):
    name, pk = "followup_pointer", "FOLLOWUP#"

    @classmethod
    def keys(cls, followup_id: str) -> Key:
        return {"PK": f"{cls.pk}{followup_id}", "SK": "FOLLOWUP"}


class CallbackSyncItem(Entity):
    name, pk, shared_pk = "callback_sync", "CALLBACKSYNC", True

    @classmethod
    def keys(cls, followup_id: str) -> Key:
        return {"PK": cls.pk, "SK": followup_id}


class RecentItem(Entity):
    name, pk = "recent_contact", "RECENT#"

    @classmethod
    def keys(cls, agent: str, contact_id: str, at: str) -> Key:
        """An agent's opening of a card; GSI1 orders an agent's newest first."""
        return {"PK": cls.pk_of(agent), "SK": contact_id, "GSI1PK": cls.pk_of(agent), "GSI1SK": at}

    @classmethod
    def pk_of(cls, agent: str) -> str:
        return f"{cls.pk}{agent}"
