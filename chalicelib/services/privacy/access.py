"""Access requests (GDPR Art. 15): one JSON document of everything held about
a person, found from one identifier as an erasure finds it: their contacts
(with consents), every call from their numbers or linked to them (legs
included), their history, attachments with short links, and their audit
trail. A document too large to answer inline is written to the bucket and
answered as a link that works for an hour."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.core import public
from chalicelib.core.clock import now_iso
from chalicelib.core.ids import new_id
from chalicelib.services.privacy import erasure, identity, suppression
from chalicelib.store import attachments as attachment_store
from chalicelib.store import audit as audit_store
from chalicelib.store import blobs
from chalicelib.store import contacts as contact_store
from chalicelib.store import interactions as call_store

INLINE_BYTES = 4 * 1024 * 1024  # Lambda answers at most 6 MB
LINK_SECONDS = 3600


def document(body: dict[str, Any]) -> dict[str, Any]:
    kind, value = erasure.asked(body)
    stored = [c for c in (contact_store.get(i) for i in dict.fromkeys(erasure.holders_of(kind, value)))
              if c is not None]
    identifiers = {(kind, value)} if kind != "contact_id" else set()
    identifiers |= {(t.kind, t.value) for c in stored for t in c.terms if t.kind in suppression.KINDS}
    history = {c.doc["id"]: call_store.every_call_of(c.doc["id"]) for c in stored}
    call_ids = [i for ids in history.values() for i in ids]
    for pair in sorted(identifiers):
        call_ids += call_store.every_call_from(*pair)
    trees = call_store.get_many(list(dict.fromkeys(call_ids)))
    files = [r for c in stored for r in attachment_store.of_contact(c.doc["id"])]
    files += [a for t in trees if _subjects(t, set(history)) for a in t.get("attachments", [])]
    held = {
        "generated_at": now_iso(), "identifier": {"kind": kind, "hash": identity.digest(kind, value)},
        "contacts": [c.doc | {"version": c.version} for c in stored],
        "consents": {c.doc["id"]: c.doc.get("consents") or {} for c in stored},
        "history": history,
        "calls": [_as_seen_by(t, set(history)) for t in trees],
        "attachments": [_file(f) for f in {f["id"]: f for f in files}.values()],
        "changes": {c.doc["id"]: audit_store.all_of_contact(c.doc["id"]) for c in stored},
        "suppressed": suppression.suppressed_among(identifiers) != set(),
    }
    text = json.dumps(held, ensure_ascii=False, default=str).encode()
    if len(text) <= INLINE_BYTES:
        return {"state": "done", "delivery": "inline", "document": held}
    key = f"privacy/access/{new_id()}.json"  # the bucket's lifecycle rule removes it after a day
    blobs.put_document(key, text, "application/json")
    return {"state": "done", "delivery": "file", "bytes": len(text),
            "url": blobs.presigned_get(key, "access-request.json", "application/json", LINK_SECONDS)}


def _subjects(tree: dict[str, Any], subjects: set[str]) -> bool:
    """Whether the call is the subject's: not linked to anybody else."""
    return not tree.get("contact_id") or tree["contact_id"] in subjects


def _as_seen_by(tree: dict[str, Any], subjects: set[str]) -> dict[str, Any]:
    """The call for the subject's document; another contact's call reduced to
    when it was and on which channel."""
    if _subjects(tree, subjects):
        return {k: v for k, v in tree.items() if k not in ("ttl", "origin")}
    channels = sorted({leg.get("type") for leg in tree.get("legs", {}).values() if leg.get("type")})
    return {"call_Id": tree["call_Id"], "start_time": tree.get("start_time"), "end_time": tree.get("end_time"),
            "channels": channels, "linked_to_another_contact": True}


def _file(record: dict[str, Any]) -> dict[str, Any]:
    code = record.get("code")
    return {"id": record.get("id"), "fileName": record.get("fileName"), "mimeType": record.get("mimeType"),
            "created_at": record.get("created_at"), "call_Id": record.get("call_Id"),
            "contact_id": record.get("contact_id"),
            "shortUrl": record.get("shortUrl") or (public.url(f"/a/{code}") if code else None)}
