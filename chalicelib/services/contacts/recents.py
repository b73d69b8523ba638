"""Recent contacts: the last cards an agent opened, for the desk's home
page (after a dropped call the agent finds the caller again in one click)."""
from __future__ import annotations

from chalicelib.core.clock import now_iso
from chalicelib.models.contact import Contact
from chalicelib.services.contacts import contacts
from chalicelib.store import contacts as contact_store
from chalicelib.store import recents as store

SHOWN = 20


def opened(agent: str, contact_id: str) -> None:
    store.opened(agent, contact_id, now_iso())


def recent(agent: str) -> list[Contact]:
    """The contacts ``agent`` opened, newest first (deleted or erased ones left out)."""
    ids = store.latest(agent, SHOWN)
    found = {c["id"]: c for c in contact_store.get_many(ids)}
    return [contacts.to_model(found[i], found[i]["version"]) for i in ids if i in found]
