"""What a change to the table means to the outside: a stored item's old and
new image (DynamoDB Streams, ``NEW_AND_OLD_IMAGES``) become the outbound
events of docs/events.md. Thin by design: ids, versions and the *names* of
changed fields, never a value a person could be found by.

Pure: the images arrive decoded (plain dicts, as the store writes them) with
their ``entity``; the stream function does the reading and the sending.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

CONTACT_CREATED, CONTACT_UPDATED, CONTACT_DELETED = "contact.created", "contact.updated", "contact.deleted"
CONTACT_ERASED, CONSENT_CHANGED = "contact.erased", "consent.changed"
CONTACT_MERGED, CONTACT_UNMERGED = "contact.merged", "contact.unmerged"
INTERACTION_SAVED, ATTACHMENT_STORED = "interaction.saved", "attachment.stored"
EVENT_TYPES = (CONTACT_CREATED, CONTACT_UPDATED, CONTACT_DELETED, CONTACT_ERASED, CONSENT_CHANGED,
               CONTACT_MERGED, CONTACT_UNMERGED, INTERACTION_SAVED, ATTACHMENT_STORED)

# A contact's bookkeeping: changes to these alone are not an update anyone asked about.
_NOT_FIELDS = frozenset({"id", "normalized", "updated_at", "created_at", "version", "consents",
                         "merged_from", "merged_identifiers"})


@dataclass(frozen=True)
class Change:
    type: str
    lane: str  # deliveries of one lane keep their order: a contact's id, else the call's or file's
    sequence: int  # increases along the lane's item: the contact's (or call's) version
    data: dict[str, Any]


def changes(entity: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """The events one item change makes (none for items nobody outside follows)."""
    mapper = _MAPPERS.get(entity)
    return mapper(old, new) if mapper else []


def _contact(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    if (new or {}).get("merged_into") or (old or {}).get("merged_into"):
        return _merge_redirect(old, new)
    before, after = (old or {}).get("doc") or {}, (new or {}).get("doc") or {}
    contact_id = after.get("id") or before.get("id")
    if not contact_id:
        return []
    if new is None:
        version = int(old.get("version") or 0) + 1
        return [Change(CONTACT_DELETED, contact_id, version, {"id": contact_id, "version": version})]
    version = int(new.get("version") or 1)
    found: list[Change] = []
    if old is None:
        fields = sorted(k for k in after if k not in _NOT_FIELDS)
        found.append(Change(CONTACT_CREATED, contact_id, version,
                            {"id": contact_id, "version": version, "fields": fields}))
    else:
        changed = sorted(k for k in set(before) | set(after)
                         if k not in _NOT_FIELDS and before.get(k) != after.get(k))
        if changed:
            found.append(Change(CONTACT_UPDATED, contact_id, version,
                                {"id": contact_id, "version": version, "changed": changed}))
    given, now = before.get("consents") or {}, after.get("consents") or {}
    usages = sorted(u for u in set(given) | set(now) if given.get(u) != now.get(u))
    if usages:
        found.append(Change(CONSENT_CHANGED, contact_id, version, {
            "contact_id": contact_id, "version": version,
            "consents": {u: (now[u].get("granted") if u in now else None) for u in usages}}))
    return found


def _merge_redirect(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """A contact merged into another leaves a redirect in its place; an undo
    writes it back (a redirect erased is told by the erasure's own event)."""
    if new is not None and new.get("merged_into") and old and old.get("doc"):
        contact_id, version = old["doc"]["id"], int(new.get("version") or 0)
        return [Change(CONTACT_MERGED, contact_id, version, {
            "id": contact_id, "merged_into": new["merged_into"], "merge_id": new["merge_id"]})]
    if new is not None and new.get("doc") and old:
        # Restored at its own version; along the lane it comes after the merge.
        contact_id, version = new["doc"]["id"], int(new.get("version") or 1)
        return [Change(CONTACT_UNMERGED, contact_id, int(old.get("version") or version) + 1, {
            "id": contact_id, "version": version, "merge_id": old.get("merge_id")})]
    return []


def _call(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    if new is None or new.get("call_Id") is None:
        return []  # a call removed (retention, erasure) is not an interaction saved
    legs_before, legs_now = set((old or {}).get("legs") or {}), set(new.get("legs") or {})
    version = int(new.get("version") or 1)
    data = {"call_Id": new["call_Id"], "contact_id": new.get("contact_id"), "version": version,
            "legs": len(legs_now), "new_legs": len(legs_now - legs_before),
            "first": old is None}
    return [Change(INTERACTION_SAVED, new.get("contact_id") or f"call:{new['call_Id']}", version, data)]


def _attachment(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    if new is None or new.get("status") != "stored" or (old or {}).get("status") == "stored":
        return []
    data = {"id": new.get("id"), "contact_id": new.get("contact_id"), "call_Id": new.get("call_Id"),
            "mimeType": new.get("mimeType"), "size": new.get("size")}
    return [Change(ATTACHMENT_STORED, new.get("contact_id") or f"attachment:{new.get('id')}", 1, data)]


def _erasure(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """An erasure's receipt turning ``done``: only its id leaves (never whom)."""
    if new is None or new.get("state") != "done" or (old or {}).get("state") == "done" or not new.get("id"):
        return []
    return [Change(CONTACT_ERASED, f"erasure:{new['id']}", 1, {"erasure_id": new["id"]})]


_MAPPERS = {"contact": _contact, "call": _call, "attachment": _attachment, "erasure": _erasure}


def subscribed(patterns: list[str], event_type: str) -> bool:
    """Whether a webhook's ``events`` (``contact.*``, ``interaction.saved``, ``*``) take ``event_type``."""
    return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in patterns)


def valid_pattern(pattern: str) -> bool:
    """A pattern that could ever match: a type, ``<area>.*`` or ``*``."""
    return pattern in EVENT_TYPES or pattern == "*" or (
        pattern.endswith(".*") and any(t.startswith(pattern[:-1]) for t in EVENT_TYPES))
