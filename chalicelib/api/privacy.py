"""Privacy: erasure with receipts, access requests, the suppression list,
the personal fields held, the audit trail and consents."""
from __future__ import annotations

from chalicelib.api.http import page_params, page_response, query, to_response
from chalicelib.api.routing import Area
from chalicelib.core import public
from chalicelib.core.roles import ADMIN, AGENT
from chalicelib.models.common import Page
from chalicelib.models.contact import Consent, ConsentFields, Contact
from chalicelib.models.privacy import (
    AccessAnswer,
    AuditEntry,
    ErasureReceipt,
    IdentifierRequest,
    PersonalField,
    PersonRequest,
    RetentionJob,
    RetentionRequest,
    Suppression,
)

area = Area(__name__, "Privacy")
bp = area.blueprint
PAGING = ("limit", "cursor")


def _receipt(receipt: ErasureReceipt, status: int | None = None):
    done = receipt.state == "done"
    return to_response(receipt, status=status or (200 if done else 202), omit_none=True,
                       headers={"Location": public.url(f"/privacy/erasures/{receipt.id}")})


@area.route("POST", "/privacy/erasures", role=ADMIN, summary="Erase a person everywhere; a receipt", ok=201,
            also_ok=(202,),
            request=PersonRequest, response=ErasureReceipt, errors=(400,), headers=("Location",),
            example={"phone": "+1 415 555 0100"}, idempotent=True, request_headers=("Idempotency-Key",))
def erase(body: PersonRequest):
    from chalicelib.services.privacy import erasure
    receipt = erasure.start(body)
    return _receipt(receipt, 201 if receipt.state == "done" else 202)


@area.route("GET", "/privacy/erasures", role=ADMIN,
            summary="Every erasure with its state (running, done, failed), newest first",
            response=list[ErasureReceipt], errors=(400,), query=("state",))
def erasures():
    from chalicelib.services.privacy import erasure
    return to_response(erasure.listing(query(area.request).get("state")))


@area.route("GET", "/privacy/erasures/{erasure_id}", role=ADMIN, summary="An erasure's receipt",
            response=ErasureReceipt, errors=(400, 404))
def erasure_receipt(erasure_id):
    from chalicelib.services.privacy import erasure
    return to_response(erasure.get(erasure_id), omit_none=True)


@area.route("POST", "/privacy/erasures/{erasure_id}/run", role=ADMIN, summary="Go on with a running erasure",
            also_ok=(202,),
            response=ErasureReceipt, errors=(400, 404), headers=("Location",))
def erasure_run(erasure_id):
    from chalicelib.services.privacy import erasure
    return _receipt(erasure.run(erasure_id))


def _job(job: RetentionJob):
    return to_response(job, status=202 if job.state == "running" else 200,
                       headers={"Location": public.url(f"/privacy/retention/jobs/{job.id}")})


@area.route("POST", "/privacy/retention/jobs", role=ADMIN,
            summary="Apply the current retention setting of a kind to the items already stored", ok=202,
            also_ok=(200,),
            request=RetentionRequest, response=RetentionJob, errors=(400, 409), headers=("Location",),
            example={"kind": "interactions"}, idempotent=True, request_headers=("Idempotency-Key",))
def start_retention_job(body: RetentionRequest):
    from chalicelib.services.privacy import retention
    return _job(retention.start(body))


@area.route("GET", "/privacy/retention/jobs/{job_id}", role=ADMIN, summary="A retention job's progress",
            response=RetentionJob, errors=(400, 404))
def retention_job(job_id):
    from chalicelib.services.privacy import retention
    return to_response(retention.get(job_id))


# A POST, not a DELETE: the cancelled job stays readable (its receipt of what it changed).
@area.route("POST", "/privacy/retention/jobs/{job_id}/cancel", role=ADMIN,
            summary="Cancel a retention job (what it changed stays changed; the job stays, cancelled)",
            response=RetentionJob, errors=(400, 404))
def cancel_retention_job(job_id):
    from chalicelib.services.privacy import retention
    return to_response(retention.cancel(job_id))


@area.route("POST", "/privacy/retention/jobs/{job_id}/run", role=ADMIN, summary="Go on with a retention job",
            also_ok=(202,),
            response=RetentionJob, errors=(400, 404), headers=("Location",))
def retention_job_run(job_id):
    from chalicelib.services.privacy import retention
    return _job(retention.run(job_id))


def _access(answer: AccessAnswer, status: int | None = None):
    running = answer.state != "done"
    return to_response(answer, status=status or (202 if running else 200), omit_none=True,
                       headers={"Location": public.url(f"/privacy/access-requests/{answer.id}")})


@area.route("POST", "/privacy/access-requests", role=ADMIN,
            summary="Everything held about a person, as one JSON document (202: still gathering)",
            also_ok=(202,), request=PersonRequest, response=AccessAnswer, errors=(400,), headers=("Location",),
            example={"email": "ann@example.com"}, idempotent=True, request_headers=("Idempotency-Key",))
def access_request(body: PersonRequest):
    from chalicelib.services.privacy import access
    return _access(access.start(body))


@area.route("GET", "/privacy/access-requests", role=ADMIN,
            summary="The access requests of the last day with their state, newest first",
            response=list[AccessAnswer], errors=(400,), query=("state",))
def access_requests():
    from chalicelib.services.privacy import access
    return to_response(access.listing(query(area.request).get("state")), omit_none=True)


@area.route("GET", "/privacy/access-requests/{request_id}", role=ADMIN,
            summary="An access request: its state, then its document", response=AccessAnswer, errors=(400, 404))
def access_request_state(request_id):
    from chalicelib.services.privacy import access
    return to_response(access.get(request_id), omit_none=True)


@area.route("POST", "/privacy/access-requests/{request_id}/run", role=ADMIN,
            summary="Go on gathering an access request", also_ok=(202,),
            response=AccessAnswer, errors=(400, 404), headers=("Location",))
def access_request_run(request_id):
    from chalicelib.services.privacy import access
    return _access(access.run(request_id))


@area.route("GET", "/privacy/fields", role=ADMIN, summary="The personal fields the contacts hold",
            response=list[PersonalField], errors=())
def personal_fields():
    from chalicelib.services.schema import schema
    personal = schema.pii_keys()
    return to_response([PersonalField(key=a.key, label=a.label, type=a.type, core=a.core,
                                 why="identifies the person (core field)" if a.core else
                                 "a phone number or e-mail address" if a.type in ("phone", "email") and not a.pii
                                 else "flagged pii in the schema")
                   for a in schema.attributes() if a.key in personal])


@area.route("GET", "/privacy/suppressions", role=ADMIN, summary="Erased numbers and addresses (hashes only)",
            response=list[Suppression], errors=())
def suppressions():
    from chalicelib.services.privacy import suppression
    return to_response(suppression.listing())


@area.route("POST", "/privacy/suppressions/lift", role=ADMIN,
            summary="Let a number or address be stored again (the customer came back)", request=IdentifierRequest,
            response=Suppression, errors=(400, 404), example={"phone": "+1 415 555 0100"})
def lift_suppression(body: IdentifierRequest):
    from chalicelib.services.privacy import suppression
    return to_response(suppression.lift(body), omit_none=True)


@area.route("GET", "/contacts/{contact_id}/changes", role=AGENT, summary="A contact's audit trail, newest first",
            response=Page[AuditEntry], errors=(400,), query=PAGING)
def contact_changes(contact_id):
    from chalicelib.services.privacy import audit
    limit, cursor = page_params(area.request)
    items, next_cursor = audit.of_contact(contact_id, limit, cursor)
    return page_response(items, next_cursor)


@area.route("GET", "/audit", role=ADMIN, summary="Every change to contacts in a period, oldest first",
            response=Page[AuditEntry], errors=(400,), query=("from", "to", *PAGING))
def audit_period():
    from chalicelib.services.privacy import audit
    request = area.request
    limit, cursor = page_params(request)
    params = query(request)
    items, next_cursor = audit.in_period(params.get("from"), params.get("to"), limit, cursor)
    return page_response(items, next_cursor)


@area.route("GET", "/contacts/{contact_id}/consents", role=AGENT, summary="A contact's consents by usage",
            response=list[Consent], errors=(400, 404))
def consents(contact_id):
    from chalicelib.services.contacts import contacts
    return to_response(list(contacts.get(contact_id).consents.values()))


@area.route("PUT", "/contacts/{contact_id}/consents/{usage}", role=AGENT,
            summary="Record a consent (granted or refused) for one usage", request=ConsentFields, response=Contact,
            errors=(400, 404), example={"granted": True, "address": "+1 415 555 0100", "source": "ivr"})
def set_consent(contact_id, usage, body: ConsentFields):
    from chalicelib.services.contacts import contacts
    return to_response(contacts.set_consent(contact_id, usage, body))


@area.route("DELETE", "/contacts/{contact_id}/consents/{usage}", role=AGENT,
            summary="Forget the record of one usage's consent", response=Contact, errors=(400, 404))
def forget_consent(contact_id, usage):
    from chalicelib.services.contacts import contacts
    return to_response(contacts.set_consent(contact_id, usage, None))
