"""Access requests (GDPR Art. 15): one JSON document of everything held about
a person, found from one identifier as an erasure finds it: their contacts
(with consents; another contact holding one of their e-mail addresses is
them too), every call from their numbers or linked to them (legs included),
their history, attachments with short links, and their audit trail.

Gathering is a job of small reads, so no request passes the DynamoDB call
cap however much is held: each read (a page of holders, a contact, a page
of history with its calls, of calls from a number, of files, of changes)
writes what it found to the bucket under ``privacy/access/<id>/`` and the
reads still to make to the job's item. ``POST /privacy/access-requests``
works until the cap or ``CIM_JOB_SECONDS``: a person gathered in time is
answered at once (200), anyone else with ``202`` and the job, which
``POST .../{id}/run`` or the scheduled runner carries on. When nothing is
left to read the finds become one document in the bucket: answered inline
up to ``INLINE_BYTES``, else as a link that works for an hour. The job and
the document are kept a day (the job item's TTL, the bucket's lifecycle
rule); the job holds the identifier only as a keyed hash once it is done.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from typing import Any

from chalicelib.core import actor, metering, public, retention
from chalicelib.core.clock import now_iso
from chalicelib.core.errors import Conflict, DomainError, Invalid, NotFound
from chalicelib.core.ids import check_id, new_id
from chalicelib.core.settings import get_settings
from chalicelib.domain.terms import Term
from chalicelib.models.privacy import AccessAnswer, PersonRequest
from chalicelib.services.privacy import identity, suppression
from chalicelib.store import attachments as attachment_store
from chalicelib.store import audit as audit_store
from chalicelib.store import blobs
from chalicelib.store import contacts as contact_store
from chalicelib.store import followups as followup_store
from chalicelib.store import interactions as call_store
from chalicelib.store import notes as notes_store
from chalicelib.store import privacy as store
from chalicelib.store.entities.privacy import Gathering, StoredAccess

log = logging.getLogger("cim")

INLINE_BYTES = 4 * 1024 * 1024  # Lambda answers at most 6 MB
LINK_SECONDS = 3600
KEPT_DAYS = 1  # the job, its finds and its document (the bucket's rule for privacy/access/)
PAGE = 100  # items a read takes (a BatchGetItem holds 100 keys)
CALLS_A_READ = 8  # the most one read makes: a Query, a BatchGetItem and its retries, the job's save
STATES = ("running", "done", "failed")


def start(asked: PersonRequest, *, retried: bool = False) -> AccessAnswer:
    """Begin an access request and gather for as long as this request may."""
    kind, value = identity.asked(asked)
    request_id = new_id()
    first = [["contact", value]] if kind == "contact_id" else [["holders", kind, value, None],
                                                               ["calls_from", kind, value, None]]
    job = StoredAccess(
        id=request_id, requested_at=now_iso(), requested_by=actor.current().who,
        identifier={"kind": kind, "hash": identity.digest(kind, value)}, state="running", version=1,
        ttl=retention.expires(KEPT_DAYS),
        work=Gathering(reads=first, subjects=[value] if kind == "contact_id" else [],
                             identifiers=[[kind, value]] if kind != "contact_id" else []))
    store.save_access(job, expect_version=None)
    try:
        return run(request_id, answer_inline=True)
    except NotFound:
        # The person was erased while this request read them (the erasure takes
        # every access request about them). Asked again, the answer is what is
        # held now; a second erasure in the same moment is a conflict to retry.
        if retried:
            raise Conflict("the person was erased while their data was gathered; ask again") from None
        return start(asked, retried=True)


def get(request_id: str) -> AccessAnswer:
    return _answer(_job(request_id), inline=True)


def listing(state: str | None = None) -> list[AccessAnswer]:
    """The access requests of the last day, newest first."""
    if state is not None and state not in STATES:
        raise Invalid(f"state: one of {', '.join(STATES)}")
    found = [_answer(j, inline=False) for j in store.accesses() if state in (None, j.state)]
    return sorted(found, key=lambda j: j.requested_at, reverse=True)


def resume_all(seconds: float | None = None) -> list[AccessAnswer]:
    """The scheduled runner: go on with every running or failed access request."""
    return [run(j.id, seconds) for j in store.accesses() if j.state in ("running", "failed")]


def _job(request_id: str) -> StoredAccess:
    job = store.access(check_id(request_id, "access request id"))
    if job is None:
        raise NotFound(f"access request {request_id} not found (they are kept a day)")
    return job


def run(request_id: str, seconds: float | None = None, answer_inline: bool = True) -> AccessAnswer:
    """Go on gathering for up to ``seconds`` (and within the call cap); the
    job as it stands, with the document when it is done."""
    job = _job(request_id)
    if job.state == "done":
        return _answer(job, inline=answer_inline)
    deadline = time.monotonic() + (get_settings().job_seconds if seconds is None else seconds)
    try:
        _gather(job, deadline)
        if not job.work.reads:
            _assemble(job)
    except Conflict:
        if store.access(request_id) is None:  # an erasure took it meanwhile: nothing of hers stays
            _drop_files(request_id)
            raise NotFound(f"access request {request_id} not found: its person was erased") from None
        return _answer(_job(request_id), inline=False)  # another run saved it meanwhile and goes on
    except Exception as fault:  # noqa: BLE001 - kept on the job; it resumes from the reads it saved
        log.warning("access request %s stopped: %s", request_id, type(fault).__name__)
        reason = fault.message if isinstance(fault, DomainError) else "an internal error stopped it"
        job = replace(_job(request_id), state="failed", error=f"{reason}; run it again to go on")
        try:
            _save(job)
        except DomainError:
            pass  # still running on record: the scheduled runner resumes it all the same
    return _answer(job, inline=answer_inline)


def _save(job: StoredAccess) -> None:
    store.save_access(replace(job, version=job.version + 1), expect_version=job.version)
    job.version += 1


def _gather(job: StoredAccess, deadline: float) -> None:
    """Make the reads still to make, one at a time. The job is saved as soon
    as a read names a new subject or identifier (an erasure finds the job by
    them, and its save fails if an erasure took the job meanwhile), when the
    run stops, and when the document is assembled; a read that only adds
    finds waits for the next save (a fault costs redoing it, not a call each)."""
    work = job.work
    job.error, job.state = None, "running"
    while work.reads:
        if time.monotonic() > deadline or not metering.budget_left(reserve=CALLS_A_READ):
            _save(job)
            return
        whom = (len(work.subjects), len(work.identifiers))
        read = work.reads[0]
        found, more = _READS[read[0]](work, *read[1:])
        if found:
            blobs.put_document(_part_key(job.id, work.found), json.dumps(found, default=str).encode(),
                               "application/json")
            work.found += 1
        work.reads = work.reads[1:] + more
        if (len(work.subjects), len(work.identifiers)) != whom:
            _save(job)


def _holders(work: Gathering, kind: str, value: str, page_cursor: str | None):
    ids, next_cursor = contact_store.ids_by_term(Term(kind, value), PAGE, page_cursor)
    new = [i for i in dict.fromkeys(ids) if i not in work.subjects]
    work.subjects += new
    more = [["contact", i] for i in new]
    return None, more + ([["holders", kind, value, next_cursor]] if next_cursor else [])


def _contact(work: Gathering, contact_id: str):
    """A contact, and the reads it brings: its numbers' and addresses' calls
    (an address's other holders too, as an erasure takes them), its history,
    files and changes."""
    stored = contact_store.get_or_redirect(contact_id)
    if stored is None:
        return None, []
    if isinstance(stored, contact_store.Redirect):  # merged: what it owns, and the survivor, are hers
        return None, _owned(contact_id) + _join(work, [stored.merged_into], [["contact", stored.merged_into]])
    more: list[list[Any]] = []
    holds = [[t.kind, t.value] for t in stored.terms if t.kind in suppression.KINDS]
    for kind, value in holds:
        if [kind, value] not in work.identifiers:
            work.identifiers.append([kind, value])
            more.append(["calls_from", kind, value, None])
            if kind == identity.EMAIL:
                more.append(["holders", kind, value, None])
    more += [["history", contact_id, None], ["files", contact_id, None], ["changes", contact_id, None],
             ["followups", contact_id, None]]
    for merged in stored.doc.get("merged_from") or []:  # what the contacts merged into hers own is hers
        more += _join(work, [merged], _owned(merged))
    # Her notes' first page rides with her contact (a read has room for one Query more).
    written, next_cursor = notes_store.page(contact_id, PAGE, None)
    more += [["notes", contact_id, next_cursor]] if next_cursor else []
    return {"contacts": [stored.doc | {"version": stored.version}], "holds": {contact_id: holds},
            "notes": {contact_id: [n.model_dump() for n in written]}}, more


def _owned(contact_id: str) -> list[list[Any]]:
    """The reads of what a merged contact owns (its history, files, changes, follow-ups and notes)."""
    return [[kind, contact_id, None] for kind in ("history", "files", "changes", "followups", "notes")]


def _join(work: Gathering, contact_ids: list[str], reads: list[list[Any]]) -> list[list[Any]]:
    """``reads`` about contacts that become subjects now; none for those already."""
    new = [c for c in contact_ids if c not in work.subjects]
    work.subjects += new
    return reads if new else []


def _history(work: Gathering, contact_id: str, page_cursor: str | None):
    entries, next_cursor = call_store.history(contact_id, PAGE, page_cursor)
    ids = [e.call_id for e in entries]
    found = {"history": {contact_id: ids}, "calls": call_store.get_many(ids)}
    return found, [["history", contact_id, next_cursor]] if next_cursor else []


def _calls_from(work: Gathering, kind: str, value: str, page_cursor: str | None):
    ids, next_cursor = call_store.calls_from_page(kind, value, PAGE, page_cursor)
    return {"calls": call_store.get_many(ids)}, [["calls_from", kind, value, next_cursor]] if next_cursor else []


def _files(work: Gathering, contact_id: str, page_cursor: str | None):
    entries, next_cursor = attachment_store.of_contact_page(contact_id, PAGE, page_cursor)
    return {"attachments": [e.model_dump() for e in entries]}, [["files", contact_id, next_cursor]] if next_cursor else []


def _changes(work: Gathering, contact_id: str, page_cursor: str | None):
    entries, next_cursor = audit_store.of_contact(contact_id, PAGE, page_cursor)
    return {"changes": {contact_id: [e.model_dump() for e in entries]}}, [["changes", contact_id, next_cursor]] if next_cursor else []


def _notes(work: Gathering, contact_id: str, page_cursor: str | None):
    found, next_cursor = notes_store.page(contact_id, PAGE, page_cursor)
    return {"notes": {contact_id: [n.model_dump() for n in found]}}, [["notes", contact_id, next_cursor]] if next_cursor else []


def _followups(work: Gathering, contact_id: str, page_cursor: str | None):
    return {"followups": {contact_id: [f.model_dump() for f in followup_store.of_contact(contact_id, limit=1000)]}}, []


_READS = {"holders": _holders, "contact": _contact, "history": _history, "calls_from": _calls_from,
          "files": _files, "changes": _changes, "notes": _notes, "followups": _followups}


def _part_key(request_id: str, number: int) -> str:
    return f"privacy/access/{request_id}/found-{number:06d}.json"


def _document_key(request_id: str) -> str:
    return f"privacy/access/{request_id}/document.json"


def _assemble(job: StoredAccess) -> None:
    """The finds as one document in the bucket; the job done, without the identifiers."""
    work = job.work
    parts = [_part_key(job.id, n) for n in range(work.found)]
    contacts: dict[str, dict[str, Any]] = {}
    history: dict[str, list[str]] = {c: [] for c in work.subjects}
    changes: dict[str, list[dict[str, Any]]] = {}
    notes: dict[str, list[dict[str, Any]]] = {}
    followups: dict[str, list[dict[str, Any]]] = {}
    trees: dict[str, dict[str, Any]] = {}
    files: dict[str, dict[str, Any]] = {}
    holds: dict[str, list[list[str]]] = {}
    for key in parts:
        found = json.loads(blobs.get_document(key) or b"{}")
        contacts |= {c["id"]: c for c in found.get("contacts", [])}
        holds |= found.get("holds", {})
        for contact_id, ids in found.get("history", {}).items():
            history.setdefault(contact_id, []).extend(ids)
        for contact_id, entries in found.get("changes", {}).items():
            changes.setdefault(contact_id, []).extend(entries)  # newest first, page after page
        for contact_id, written in found.get("notes", {}).items():
            notes.setdefault(contact_id, []).extend(written)  # newest first, page after page
        for contact_id, promised in found.get("followups", {}).items():
            followups.setdefault(contact_id, []).extend(promised)
        trees |= {t["call_Id"]: t for t in found.get("calls", [])}
        files |= {f["id"]: f for f in found.get("attachments", []) if f.get("id")}
    # The last gate: a number or address suppressed since it was read belongs to
    # a person erased meanwhile (or to a bulk row taken back): nothing of it goes out.
    suppressed = suppression.suppressed_among({tuple(p) for p in work.identifiers})
    erased = {c for c, held in holds.items() if any(tuple(p) in suppressed for p in held)}
    contacts = {c: doc for c, doc in contacts.items() if c not in erased}
    trees = {i: t for i, t in trees.items()
             if t.get("contact_id") not in erased and tuple(t.get("origin") or ()) not in suppressed}
    files = {i: f for i, f in files.items() if f.get("contact_id") not in erased}
    # Hers: her contacts, and those merged into them (their calls, notes and files are hers).
    subjects = set(contacts) | {m for doc in contacts.values() for m in doc.get("merged_from") or []}
    for tree in trees.values():
        if _subjects(tree, subjects):
            files |= {a["id"]: a for a in tree.get("attachments", []) if a.get("id")}
    held = {
        "generated_at": now_iso(), "identifier": job.identifier,
        "contacts": list(contacts.values()),
        "consents": {c: doc.get("consents") or {} for c, doc in contacts.items()},
        "history": {c: ids for c, ids in history.items() if c in subjects},
        "calls": [_as_seen_by(t, subjects) for t in sorted(trees.values(), reverse=True, key=_newest)],
        "attachments": [_file(f) for f in sorted(files.values(), key=lambda f: (f.get("created_at") or "", f["id"]))],
        "changes": {c: list(reversed(changes.get(c, []))) for c in sorted(subjects)},
        "notes": {c: notes.get(c, []) for c in sorted(subjects)},
        "followups": {c: followups.get(c, []) for c in sorted(subjects)},
        "suppressed": bool(suppressed),
    }
    text = json.dumps(held, ensure_ascii=False, default=str).encode()
    blobs.put_document(_document_key(job.id), text, "application/json")
    about = _about(work)
    job.work, job.state, job.finished_at, job.bytes = None, "done", now_iso(), len(text)
    job.subjects, job.hashes = about["subjects"], about["hashes"]
    _save(job)
    blobs.delete_many(parts)


def _about(work: Gathering) -> dict[str, list[str]]:
    """Whom a job holds data of, without personal data: contact ids and the
    keyed hashes of their numbers and addresses (an erasure finds it by them)."""
    return {"subjects": list(work.subjects),
            "hashes": sorted(identity.digest(kind, value) for kind, value in work.identifiers)}


def forget_about(digests: set[str], contact_ids: set[str]) -> tuple[int, bool]:
    """An erasure's last step: every access request holding data of the
    erased person (by a hash of one of their identifiers or by a contact id)
    goes, its document and finds with it. A request still gathering fails its
    next save and removes what it wrote then. How many went, and whether all
    did (a pass stops near the request's call cap; the next goes on)."""
    gone = 0
    for job in store.accesses():
        if not metering.budget_left(reserve=2):
            return gone, False
        about = _about(job.work) if job.work else {"subjects": job.subjects or [], "hashes": job.hashes or []}
        if digests.isdisjoint(about["hashes"] + [job.identifier["hash"]]) and \
                contact_ids.isdisjoint(about["subjects"]):
            continue
        store.drop_access(job.id)
        _drop_files(job.id)
        gone += 1
    return gone, True


def _drop_files(request_id: str) -> None:
    blobs.delete_many(blobs.keys_under(f"privacy/access/{request_id}/"))


def _newest(tree: dict[str, Any]) -> tuple[str, str]:
    return tree.get("start_time") or "", tree["call_Id"]


def _answer(job: StoredAccess, inline: bool) -> AccessAnswer:
    """The job as its owner sees it: no reads, no identifiers; when done,
    the document inline (small enough, and asked for) or a fresh link."""
    answer = AccessAnswer(id=job.id, requested_at=job.requested_at, requested_by=job.requested_by,
                          identifier=job.identifier, state=job.state, finished_at=job.finished_at, error=job.error,
                          bytes=job.bytes)
    if job.state != "done":
        return answer
    if inline and job.bytes <= INLINE_BYTES:
        text = blobs.get_document(_document_key(job.id))
        if text is not None:
            return answer.model_copy(update={"delivery": "inline", "document": json.loads(text)})
    return answer.model_copy(update={"delivery": "file", "url": blobs.presigned_get(
        _document_key(job.id), "access-request.json", "application/json", LINK_SECONDS)})


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
