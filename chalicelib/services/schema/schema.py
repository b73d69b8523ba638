"""The dynamic contact schema: the core fields plus what administrators add.

A change that existing contacts must follow (a new index, a unique rule, a
new type, a forced delete) is checked against every contact first (409 with
the first offenders), saved, and then carried out by a reindex job: bounded
passes over the contacts that record their progress and resume where they
stopped (the request that made the change, ``POST /schema/jobs/{id}/run`` or
the scheduled runner).
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, replace
from functools import lru_cache
from typing import Any

from chalicelib.core.cache import Cached
from chalicelib.core.clock import now_iso
from chalicelib.core.errors import Conflict, Invalid, NotFound, PreconditionFailed, Unprocessable
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.domain import values
from chalicelib.domain.terms import INDEX_FORMAT
from chalicelib.domain.validation import prepare, rule_of
from chalicelib.models.contact import KEPT_ACROSS_EDITS, SERVER_FIELDS
from chalicelib.models.schema import Attribute, AttributeFields, Job
from chalicelib.store import contacts as contact_store
from chalicelib.store import rules as rules_store
from chalicelib.store import schema as schema_store
from chalicelib.store.entities.jobs import StoredJob

# Changing these on an attribute needs the contacts checked (and maybe reindexed).
DATA_RULES = ("type", "max_length", "options", "required", "unique", "searchable")
INDEX_RULES = ("type", "unique", "searchable")
CORE_EDITABLE = {"label", "required", "unique", "pii", "highlight"}
CLEARABLE = ("max_length", "options", "default")  # null removes these rules
MAX_OFFENDERS = 10
JOB_KEPT_SECONDS = 30 * 24 * 3600
PAGE = 200


def _core(key: str, label: str, type_: str, position: int, **rules: Any) -> Attribute:
    digest = hashlib.sha256(f"core:{key}".encode()).hexdigest()[:32].upper()
    return Attribute(id=digest, key=key, label=label, type=type_, core=True, searchable=True,
                     position=position, **rules)


@lru_cache(maxsize=1)
def _core_attributes() -> tuple[Attribute, ...]:
    """The five core fields as attributes (built on first use: building a
    model at import would be paid by every cold start)."""
    return (
        _core("first_name", "First name", "text", 0, max_length=100),
        _core("last_name", "Last name", "text", 1, max_length=100),
        _core("phone1", "Phone", "phone", 2),
        _core("phone2", "Other phone", "phone", 3),
        _core("email", "E-mail", "email", 4),
    )


def _load() -> list[Attribute]:
    stored = {a.id: a for a in schema_store.attributes()}
    core = [stored.pop(c.id, c) for c in _core_attributes()]
    return core + sorted(stored.values(), key=lambda a: (a.position, a.created_at or ""))


_cache: Cached[list[Attribute]] = Cached(_load, lambda: get_settings().cache_seconds)


def attributes() -> list[Attribute]:
    """The schema in display order (cached for a few seconds)."""
    return _cache.get()


# A table's index format only grows: once this code's is reached, it is never read again.
_format_cache: Cached[int] = Cached(schema_store.index_format, lambda: get_settings().cache_seconds,
                                    final=lambda reached: reached >= INDEX_FORMAT)


def index_format_reached(format_: int) -> bool:
    """Every stored contact has the entries of index format ``format_`` (read
    only by a search that needs them: one GetItem, cached for a few seconds
    while the format is not reached, and for good once it is)."""
    return _format_cache.get() >= format_


IDENTITY_FIELDS = ("first_name", "last_name", "phone1", "phone2", "email")


def pii_keys() -> set[str]:
    """The personal fields: the core name, phone and e-mail fields, every
    attribute of type phone or e-mail (whatever its flag: a number is a
    person's), and every attribute flagged ``pii``."""
    return set(IDENTITY_FIELDS) | {a.key for a in attributes() if a.pii or a.type in ("phone", "email")}


def by_key() -> dict[str, Attribute]:
    return {a.key: a for a in attributes()}


def _find(attribute_id: str) -> Attribute:
    check_id(attribute_id, "schema_id")
    for attribute in _load():  # fresh, not cached: we are about to change it
        if attribute.id == attribute_id:
            return attribute
    raise NotFound(f"attribute {attribute_id} not found")


def _check_rules(attribute: Attribute) -> None:
    if attribute.unique and attribute.type == "list":
        raise Invalid("unique: a list attribute cannot be unique")
    if attribute.options and attribute.type not in ("text", "list"):
        raise Invalid("options: only text and list attributes take options")
    if attribute.max_length and attribute.type not in ("text", "list", "url"):
        raise Invalid("max_length: only text, list and url attributes take a length")
    if attribute.default is not None:
        values.check(rule_of(attribute), attribute.default, get_settings().default_region)
        # A default becomes part of every new contact: it must leave room for the contact itself.
        room = get_settings().max_contact_bytes // 4
        size = len(json.dumps(attribute.default, ensure_ascii=False).encode())
        if size > room:
            raise Invalid(f"default: takes {size} bytes; a default may take at most {room} "
                          f"(a quarter of a contact's {get_settings().max_contact_bytes})", field="default")


def create(fields: AttributeFields) -> tuple[Attribute, Job | None]:
    missing = [f for f in ("label", "key", "type") if getattr(fields, f) is None]
    if missing:
        raise Invalid(f"{', '.join(missing)}: required")
    data = fields.model_dump(exclude_none=True)
    data["type"] = values.canonical_type(data["type"])
    stamp = now_iso()
    attribute = Attribute.model_validate(
        data | {"id": new_id(), "position": len(attributes()), "created_at": stamp, "updated_at": stamp})
    _check_rules(attribute)
    if attribute.key in by_key():
        raise Conflict(f"key: the schema already has an attribute {attribute.key!r}")
    # Contacts may hold the key from before the schema named it: they must fit.
    _refuse_offenders(attribute, None)
    job = _start_job_if_needed(attribute, None, f"add {attribute.key}")
    if not schema_store.add_attribute(attribute):
        raise Conflict(f"key: the schema already has an attribute {attribute.key!r}")
    _cache.invalidate()
    return attribute, run_job(job.id) if job else None


def update(attribute_id: str, fields: AttributeFields) -> tuple[Attribute, Job | None]:
    old = _find(attribute_id)
    changes = fields.model_dump(exclude_unset=True)
    refused = sorted(k for k, v in changes.items() if v is None and k not in CLEARABLE)
    if refused:
        raise Invalid(f"{', '.join(refused)}: cannot be null (only {', '.join(CLEARABLE)} can be cleared)")
    if "type" in changes:
        changes["type"] = values.canonical_type(changes["type"])
    changes = {k: v for k, v in changes.items() if getattr(old, k) != v}
    if old.core and set(changes) - CORE_EDITABLE:
        raise Unprocessable(
            f"{', '.join(sorted(set(changes) - CORE_EDITABLE))}: {old.key} is a core field; "
            f"only {', '.join(sorted(CORE_EDITABLE))} can change")
    if "key" in changes:
        raise Unprocessable("key: an attribute's key cannot change; add a new attribute instead")
    if old.index_job and set(changes) & set(DATA_RULES):
        raise Conflict(f"{old.key}: job {old.index_job} is still reindexing; run it to the end first",
                       job_id=old.index_job)
    new = old.model_copy(update=changes | {"updated_at": now_iso()})
    _check_rules(new)
    if set(changes) & set(DATA_RULES):
        _refuse_offenders(new, old)
    job = _start_job_if_needed(new, old, f"change {new.key}")
    new.index_job = job.id if job else None
    schema_store.put_attribute(new)
    _cache.invalidate()
    return new, run_job(job.id) if job else None


def delete(attribute_id: str, force: bool) -> tuple[Attribute, Job | None]:
    old = _find(attribute_id)
    if old.core:
        raise Unprocessable(f"{old.key}: a core field cannot be deleted")
    # Read from the store, not the mapping service: mapping depends on the schema, not the reverse.
    rules = [r.id for r in rules_store.all_rules() if r.key == old.key]
    if rules:
        raise Conflict(f"{old.key}: mapping rules {', '.join(rules)} use it; delete them first", rule_ids=rules)
    holders = _holders(old.key)
    if holders and not force:
        raise Conflict(f"{old.key}: contacts hold values ({', '.join(holders)}...); "
                       "add ?force=true to remove the values too", contact_ids=holders)
    job = _new_job(f"delete {old.key}", drop_key=old.key) if holders else None
    schema_store.remove_attribute(old.id, old.key)
    _cache.invalidate()
    return old, run_job(job.id) if job else None


# --- checks against existing contacts --------------------------------------------

def _holders(key: str) -> list[str]:
    found = []
    for contact in contact_store.every(PAGE):
        if contact.doc.get(key) not in (None, "", []):
            found.append(contact.doc["id"])
            if len(found) >= MAX_OFFENDERS:
                break
    return found


def _refuse_offenders(new: Attribute, old: Attribute | None) -> None:
    """409 naming the first contacts that the new rules would refuse."""
    region = get_settings().default_region
    rule = rule_of(new)
    offenders: list[str] = []
    seen: dict[str, str] = {}
    for contact in contact_store.every(PAGE):
        raw = contact.doc.get(new.key)
        contact_id = contact.doc["id"]
        if raw in (None, "", []):
            if new.required and new.default is None:
                offenders.append(contact_id)
        else:
            try:
                checked = values.check(rule, raw, region)
            except Invalid:
                offenders.append(contact_id)
            else:
                if new.unique and checked.index:
                    first = seen.setdefault(checked.index[0], contact_id)
                    if first != contact_id:
                        offenders += [i for i in (first, contact_id) if i not in offenders]
        if len(offenders) >= MAX_OFFENDERS:
            break
    if offenders:
        raise Conflict(f"{new.key}: existing contacts do not fit the new rules: {', '.join(offenders)}",
                       contact_ids=offenders[:MAX_OFFENDERS])


# --- reindex jobs ----------------------------------------------------------------

def _start_job_if_needed(new: Attribute, old: Attribute | None, reason: str) -> Job | None:
    was = {r: getattr(old, r) for r in INDEX_RULES} if old else {"searchable": False, "unique": False}
    if old is None and not (new.searchable or new.unique):
        # Values held from before the schema named the key still get checked
        # types (on their next write); nothing to index now.
        return None
    if old is not None and all(getattr(new, r) == was[r] for r in INDEX_RULES):
        return None
    job = _new_job(reason)
    new.index_job = job.id
    return job


def _new_job(reason: str, drop_key: str | None = None, index_format: int | None = None) -> Job:
    stamp = now_iso()
    record = StoredJob(id=new_id(), reason=reason, state="running", started_at=stamp,
                                    updated_at=stamp, drop_key=drop_key, index_format=index_format)
    schema_store.add_job(record)
    return _public(record)


def _public(record: StoredJob) -> Job:
    return Job.model_validate(asdict(record))


def reindex_for_the_index_format() -> Job | None:
    """The maintenance schedule: once a new index format is deployed (new kinds
    of entries: number endings, attribute beginnings), one reindex job
    rewrites every contact written in an older one; its end records the
    format. A new table's job ends at once."""
    if schema_store.index_format() >= INDEX_FORMAT:
        return None
    if any(j.state == "running" and j.index_format for j in schema_store.jobs()):
        return None
    return _new_job(f"index format {INDEX_FORMAT}: the contact on its name entries and the entries of pairs of "
                    "name words (and, from format 3, the IVR's card on each number, address and searchable value; "
                    "from format 2, number endings and text beginnings)", index_format=INDEX_FORMAT)


def get_job(job_id: str) -> Job:
    check_id(job_id, "job_id")
    return _public(schema_store.job(job_id))


def run_job(job_id: str, seconds: float | None = None) -> Job:
    """Carry the job on for at most ``seconds``; safe to call from several places
    at once (a lease in the job record lets one runner work at a time)."""
    budget = get_settings().job_seconds if seconds is None else seconds
    deadline = time.monotonic() + budget
    record = schema_store.job(job_id)
    if record.state != "running" or record.lease > time.time():
        return _public(record)
    lease = time.time() + budget + 30
    schema_store.put_job(replace(record, lease=lease), lease_was=record.lease)
    record.lease = lease
    _cache.invalidate()
    schema = by_key()
    settings = get_settings()
    while True:  # at least one page per call, however small the budget
        page, next_start = contact_store.page_all(PAGE, record.cursor)
        for contact in page:
            _reindex(contact, schema, record, settings)
        record.processed += len(page)
        record.cursor = next_start
        record.updated_at = now_iso()
        done = next_start is None
        if done:
            record.state, record.finished_at = "done", record.updated_at
            record.ttl = int(time.time()) + JOB_KEPT_SECONDS
        if done or time.monotonic() >= deadline:
            record.lease = 0
        schema_store.put_job(record, lease_was=lease)
        if done:
            _finish(job_id)
            if record.index_format:
                schema_store.set_index_format(record.index_format)
                _format_cache.invalidate()
        if record.lease == 0:
            break
    return _public(record)


def _reindex(contact: contact_store.StoredContact, schema: dict[str, Attribute], record: StoredJob,
             settings: Any) -> None:
    doc = contact.doc
    kept = {k: v for k, v in doc.items() if k not in SERVER_FIELDS and k != record.drop_key}
    try:
        prepared = prepare(kept, schema, region=settings.default_region,
                           max_bytes=settings.max_contact_bytes * 2, creating=False, lenient=True)
    except Invalid as error:
        _note_conflict(record, doc["id"], error.message)
        return
    before = {k: v for k, v in doc.items() if k not in SERVER_FIELDS}
    # An index format upgrade rewrites every entry of a contact written in an older one (once: the
    # contact's item records the format it was written in; one written since is left alone).
    upgrading = contact.index_format < (record.index_format or 0)
    if not upgrading and (prepared.fields, prepared.normalized, set(contact_store.terms_for(doc, prepared.terms))) == (
            before, doc.get("normalized", {}), set(contact.terms)):
        return
    new_doc = prepared.fields | {k: doc[k] for k in ("id", "created_at", "updated_at")} \
        | {k: doc[k] for k in KEPT_ACROSS_EDITS if doc.get(k)}  # consents and merges are not the schema's
    new_doc["normalized"] = prepared.normalized
    try:
        contact_store.replace(contact, new_doc, prepared.terms, rewrite_all=upgrading)
        record.changed += 1
    except Conflict as error:
        _note_conflict(record, doc["id"], error.message)
    except PreconditionFailed:
        pass  # written meanwhile, so already under the new schema


def _note_conflict(record: StoredJob, contact_id: str, message: str) -> None:
    if len(record.conflicts) < 100:
        record.conflicts.append({"contact_id": contact_id, "message": message})


def _finish(job_id: str) -> None:
    for attribute in _load():
        if attribute.index_job == job_id:
            schema_store.put_attribute(attribute.model_copy(update={"index_job": None}))
    _cache.invalidate()


def pending_jobs() -> list[str]:
    return [j.id for j in schema_store.jobs() if j.state == "running"]


def resume_jobs() -> list[Job]:
    """The scheduled runner: carry every unfinished job on."""
    return [run_job(job_id) for job_id in pending_jobs()]
