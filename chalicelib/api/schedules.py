"""Scheduled work (EventBridge rules in AWS; not run by ``chalice local``)."""
from __future__ import annotations

import logging

from chalice import Blueprint, Rate

from chalicelib.services import schema

bp = Blueprint(__name__)
log = logging.getLogger("cim")


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="resume-schema-jobs")
def resume_schema_jobs(event):
    """Carry on every reindex job a schema change left unfinished."""
    for job in schema.resume_jobs():
        log.info("schema job %s: %s, %d processed", job.id, job.state, job.processed)
