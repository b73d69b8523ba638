"""Scheduled work (EventBridge rules in AWS; not run by ``chalice local``)."""
from __future__ import annotations

import logging

from chalice import Blueprint, Rate

from chalicelib.core import metering
from chalicelib.core.actor import act_as
from chalicelib.core.settings import get_settings

bp = Blueprint(__name__)
log = logging.getLogger("cim")


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="resume-schema-jobs")
def resume_schema_jobs(event):
    """Carry on every reindex job a schema change left unfinished, and every
    duplicate scan (starting, once, the one that marks who holds what)."""
    from chalicelib.services.contacts import duplicate_scans
    from chalicelib.services.schema import schema
    metering.stop_counting()  # not a request: bounded by time, not by the request's call cap
    if schema.reindex_for_the_index_format():
        log.info("started the reindex job that writes every contact in the current index format")
    for job in schema.resume_jobs():
        log.info("schema job %s: %s, %d processed", job.id, job.state, job.processed)
    if duplicate_scans.mark_holders_once():
        log.info("started the scan that puts contacts stored before the holder markers in them")
    for scan in duplicate_scans.resume_all():
        log.info("duplicate scan %s: %s, %d processed, %d pairs", scan.id, scan.state, scan.processed, scan.found)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="resume-erasures")
def resume_erasures(event):
    """Carry on every erasure and access request too large for the request
    that asked for it, and every retention job."""
    from chalicelib.services.privacy import access, erasure, retention
    act_as("erasure-runner", "schedule")
    metering.stop_counting()
    for receipt in erasure.resume_all():
        log.info("erasure %s: %s", receipt.id, receipt.state)
    for answer in access.resume_all():
        log.info("access request %s: %s", answer.id, answer.state)
    for job in retention.resume_all():
        log.info("retention job %s (%s): %s, %d updated", job.id, job.kind, job.state, job.updated)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="rci-sync")
def pull_contact_center(event):
    """Pull the contact center's records (every ``CIM_SYNC_EVERY_SECONDS``)."""
    from chalicelib.services.contacts import followups
    from chalicelib.services.sync import rci_sync
    act_as("sinch-sync", "schedule")
    metering.stop_counting()
    if get_settings().sinch_base_url:
        sent = followups.retry_callbacks()  # callbacks the contact center did not take at once
        if sent:
            log.info("callbacks sent to the contact center: %d", sent)
    outcome = rci_sync.scheduled()
    if outcome:
        log.info("rci sync: %d pages, %d stored, %d updated, %d rejected, error: %s", outcome.pages,
                 outcome.stored, outcome.updated, outcome.rejected, outcome.last_error)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="deliver-webhooks")
def deliver_webhooks(event):
    """Retry every webhook delivery whose next try has come (and what waits behind it)."""
    from chalicelib.services.events import delivery
    act_as("webhooks", "schedule")
    metering.stop_counting()
    made = delivery.run_due()
    if made:
        log.info("webhooks: %d attempts", made)
