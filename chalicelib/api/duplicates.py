"""Possible duplicates across the stored contacts: the scan that finds them,
the list, and dismissals (docs/api.md, Possible duplicates)."""
from __future__ import annotations

from chalicelib.api.http import page_params, to_response
from chalicelib.api.routing import Area
from chalicelib.core import public
from chalicelib.core.roles import ADMIN, AGENT
from chalicelib.models.common import Page
from chalicelib.models.contact import Dismissal, DismissalRequest, DuplicatePair, DuplicateScan

area = Area(__name__, "Duplicates")
bp = area.blueprint


def _scan_answer(scan: DuplicateScan, created: bool = False):
    status = 202 if scan.state == "running" else (201 if created else 200)
    return to_response(scan, status=status, headers={"Location": public.url(f"/duplicates/scans/{scan.id}")})


@area.route("POST", "/duplicates/scans", role=ADMIN,
            summary="Look through every contact for possible duplicates (a resumable job; 202 while it runs)",
            ok=201, also_ok=(202,), response=DuplicateScan, headers=("Location",))
def start_scan():
    from chalicelib.services.contacts import duplicate_scans
    return _scan_answer(duplicate_scans.start(), created=True)


@area.route("GET", "/duplicates/scans/{scan_id}", role=ADMIN, summary="A duplicate scan's progress",
            response=DuplicateScan, errors=(400, 404))
def get_scan(scan_id):
    from chalicelib.services.contacts import duplicate_scans
    return to_response(duplicate_scans.get(scan_id))


@area.route("POST", "/duplicates/scans/{scan_id}/run", role=ADMIN, summary="Carry a duplicate scan on now",
            response=DuplicateScan, also_ok=(202,), errors=(400, 404, 409))
def run_scan(scan_id):
    from chalicelib.services.contacts import duplicate_scans
    return _scan_answer(duplicate_scans.run(scan_id))


@area.route("GET", "/duplicates", role=AGENT, summary="Pairs of contacts that may be one person, most likely first",
            response=Page[DuplicatePair], query=("limit", "cursor"))
def list_duplicates():
    from chalicelib.services.contacts import duplicates
    return to_response(duplicates.listing(*page_params(area.request)))


@area.route("POST", "/duplicates/dismissals", role=AGENT, summary="Two contacts are not one person: never suggest them",
            ok=201, request=DismissalRequest, response=Dismissal, errors=(400, 404),
            example=DismissalRequest.model_config["json_schema_extra"]["example"])
def dismiss(body: DismissalRequest):
    from chalicelib.services.contacts import duplicates
    return to_response(duplicates.dismiss(body), status=201)
