"""The contact schema: ``/getSchema``, ``/saveSchema``, ``/schema/{schema_id}``
as in the CIM API, and the reindex jobs that schema changes start."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import endpoint, json_body, query, render
from chalicelib.errors import Invalid
from chalicelib.lazy import lazy
from chalicelib.models.common import parse
from chalicelib.models.schema import Attribute, AttributeFields, Job

schema = lazy("chalicelib.services.schema")

bp = Blueprint(__name__)


def _answer(attribute: Attribute, job: Job | None, status: int = 200):
    body = attribute.model_dump(mode="json")
    if job is not None:
        body["job"] = job.model_dump(mode="json")
    # 202 while a reindex job still has contacts to bring in line.
    return render(body, status=202 if job is not None and job.state == "running" else status)


@bp.route("/getSchema", methods=["GET"])
@bp.route("/schema", methods=["GET"])
@endpoint
def get_schema():
    return render(schema.attributes())


@bp.route("/saveSchema", methods=["POST"])
@bp.route("/schema", methods=["POST"])
@endpoint
def save_schema():
    return _answer(*schema.create(parse(AttributeFields, json_body(bp.current_request))))


@bp.route("/schema/{schema_id}", methods=["PUT"])
@endpoint
def update_schema(schema_id):
    return _answer(*schema.update(schema_id, parse(AttributeFields, json_body(bp.current_request))))


@bp.route("/schema/{schema_id}", methods=["DELETE"])
@endpoint
def delete_schema(schema_id):
    raw = query(bp.current_request).get("force", "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise Invalid("force: must be true or false")
    return _answer(*schema.delete(schema_id, force=raw in ("true", "1")))


@bp.route("/schema/jobs/{job_id}", methods=["GET"])
@endpoint
def get_job(job_id):
    return render(schema.get_job(job_id))


@bp.route("/schema/jobs/{job_id}/run", methods=["POST"])
@endpoint
def run_job(job_id):
    schema.get_job(job_id)
    return render(schema.run_job(job_id))
