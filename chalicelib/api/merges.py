"""Merging contacts that are the same person, and undoing it (docs/api.md, Merging contacts)."""
from __future__ import annotations

from chalicelib.api.http import to_response
from chalicelib.api.routing import Area
from chalicelib.core.roles import AGENT
from chalicelib.models.merges import MergePreview, MergeRecord, MergeRequest, MergeResult, UndoResult

area = Area(__name__, "Merges")
bp = area.blueprint


@area.route("POST", "/contacts/merge", role=AGENT,
            summary="Merge contacts into a survivor (201), or preview it with dry_run (200, nothing written)",
            ok=201, also_ok=(200,), request=MergeRequest, response=MergeResult | MergePreview,
            errors=(400, 404, 409, 413), example=MergeRequest.model_config["json_schema_extra"]["example"])
def merge_contacts(body: MergeRequest):
    from chalicelib.services.contacts import merges
    made = merges.merge(body)
    return to_response(made, status=200 if body.dry_run else 201)


@area.route("GET", "/merges/{merge_id}", role=AGENT, summary="A merge: who, when, applied or undone",
            response=MergeRecord, errors=(400, 404))
def get_merge(merge_id):
    from chalicelib.services.contacts import merges
    return to_response(merges.get(merge_id))


@area.route("POST", "/merges/{merge_id}/undo", role=AGENT,
            summary="Undo a merge: the merged contacts back as they were, the survivor keeping its later changes",
            response=UndoResult, errors=(400, 404, 409, 410, 413))
def undo_merge(merge_id):
    from chalicelib.services.contacts import merges
    return to_response(merges.undo(merge_id))
