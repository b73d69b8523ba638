"""The contact schema: ``/getSchema``, ``/saveSchema``, ``/schema/{schema_id}``
as in the CIM API, and the reindex jobs that schema changes start."""
from __future__ import annotations

from chalicelib.api.http import query, to_response
from chalicelib.api.routing import Area
from chalicelib.core import public
from chalicelib.core.errors import Invalid
from chalicelib.core.roles import ADMIN, AGENT
from chalicelib.models.schema import Attribute, AttributeAnswer, AttributeFields, Job

area = Area(__name__, "Schema")
bp = area.blueprint
EXAMPLE = {"label": "Account", "key": "account_no", "type": "text"}


def _answer(attribute: Attribute, job: Job | None):
    answer = AttributeAnswer.model_validate(attribute.model_dump() | {"job": job})
    # 202 while a reindex job still has contacts to bring in line.
    running = job is not None and job.state == "running"
    return to_response(answer, status=202 if running else 200,
                  headers={"Location": public.url(f"/schema/jobs/{job.id}")} if running else None)


@area.route("GET", "/getSchema", role=AGENT, summary="The contact schema", response=list[Attribute], errors=())
@area.route("GET", "/schema", role=AGENT, summary="The contact schema (resource style)", response=list[Attribute],
            errors=())
def get_schema():
    from chalicelib.services.schema import schema
    return to_response(schema.attributes())


@area.route("POST", "/saveSchema", role=ADMIN, summary="Add an attribute", request=AttributeFields,
            response=AttributeAnswer, also_ok=(202,), headers=("Location",), errors=(400, 409), example=EXAMPLE)
@area.route("POST", "/schema", role=ADMIN, summary="Add an attribute (resource style)", request=AttributeFields,
            response=AttributeAnswer, also_ok=(202,), headers=("Location",), errors=(400, 409), example=EXAMPLE)
def save_schema(body: AttributeFields):
    from chalicelib.services.schema import schema
    return _answer(*schema.create(body))


@area.route("PUT", "/schema/{schema_id}", role=ADMIN, summary="Change an attribute", request=AttributeFields,
            response=AttributeAnswer, also_ok=(202,), headers=("Location",), errors=(400, 404, 409, 422))
def update_schema(schema_id, body: AttributeFields):
    from chalicelib.services.schema import schema
    return _answer(*schema.update(schema_id, body))


@area.route("DELETE", "/schema/{schema_id}", role=ADMIN,
            summary="Delete an attribute (?force=true removes its values)", response=AttributeAnswer,
            also_ok=(202,), headers=("Location",), errors=(400, 404, 409, 422), query=("force",))
def delete_schema(schema_id):
    from chalicelib.services.schema import schema
    raw = query(area.request).get("force", "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise Invalid("force: must be true or false")
    return _answer(*schema.delete(schema_id, force=raw in ("true", "1")))


@area.route("GET", "/schema/jobs/{job_id}", role=ADMIN, summary="A reindex job's progress", response=Job,
            errors=(400, 404))
def get_job(job_id):
    from chalicelib.services.schema import schema
    return to_response(schema.get_job(job_id))


@area.route("POST", "/schema/jobs/{job_id}/run", role=ADMIN, summary="Carry a reindex job on (202: it goes on)",
            response=Job, also_ok=(202,), errors=(400, 404, 409))
def run_job(job_id):
    from chalicelib.services.schema import schema
    schema.get_job(job_id)
    job = schema.run_job(job_id)
    return to_response(job, status=202 if job.state == "running" else 200)
