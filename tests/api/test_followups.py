"""Follow-ups: callbacks and tasks promised to contacts, listed by owner and
due time, done once; a callback reaches Sinch Contact Center (a fake RCI over
real HTTP) and is retried until it does; an erasure takes them along."""
from __future__ import annotations

from tests.api.conftest import body, erase

ANN = {"first_name": "Ann", "last_name": "Lee", "phone1": "+1 415 555 0100", "email": "ann@example.com"}


def _promise(api, contact_id: str, due: str, **more) -> dict:
    reply = api.post("/followups", {"contact_id": contact_id, "due_at": due, "note": "About the renewal"} | more)
    assert reply.status_code == 201, reply.body
    return body(reply)


def test_an_agents_follow_ups_come_soonest_first_and_are_done_once(api):
    ann = body(api.post("/saveContact", ANN))
    later = _promise(api, ann["id"], "2026-12-09T09:00:00+02:00")
    sooner = _promise(api, ann["id"], "2026-12-08T09:00:00Z", kind="callback")
    other = _promise(api, ann["id"], "2026-12-07T09:00:00Z", owner="someone-else")
    assert sooner | {"id": "x", "created_at": "t"} == {
        "id": "x", "contact_id": ann["id"], "due_at": "2026-12-08T09:00:00.000Z", "note": "About the renewal",
        "kind": "callback", "owner": "bootstrap-admin", "state": "open", "created_at": "t", "done_at": None,
        "sync_state": "not_sent", "sinch_id": None, "sync_error": None}  # no contact center configured
    mine = body(api.get("/followups?owner=me"))["items"]
    assert [f["id"] for f in mine] == [sooner["id"], later["id"]]
    assert api.calls == ["Query"]
    before = body(api.get("/followups?owner=me&due_before=2026-12-09T00:00:00Z"))["items"]
    assert [f["id"] for f in before] == [sooner["id"]]
    assert [f["id"] for f in body(api.get("/followups?owner=someone-else"))["items"]] == [other["id"]]
    finished = body(api.post(f"/followups/{sooner['id']}/done"))
    assert finished["state"] == "done" and finished["done_at"]
    again = api.post(f"/followups/{sooner['id']}/done")
    assert again.status_code == 409 and finished["done_at"] in body(again)["Message"]
    assert [f["id"] for f in body(api.get("/followups?owner=me"))["items"]] == [later["id"]]
    assert [f["id"] for f in body(api.get("/followups?owner=me&state=done"))["items"]] == [sooner["id"]]
    assert body(api.get(f"/followups/{later['id']}")) == later


def test_a_follow_up_that_cannot_be_is_a_clear_error(api):
    ann = body(api.post("/saveContact", ANN))
    cases = [({"contact_id": "F" * 32, "due_at": "2026-12-08T09:00:00Z"}, 404, "not found"),
             ({"contact_id": ann["id"], "due_at": "next tuesday"}, 400, "due_at"),
             ({"contact_id": ann["id"], "due_at": "2026-12-08T09:00:00Z", "kind": "visit"}, 400, "kind"),
             ({"contact_id": ann["id"], "due_at": "2026-12-08T09:00:00Z", "colour": "red"}, 400, "colour"),
             ({"contact_id": ann["id"], "due_at": "2026-12-08T09:00:00Z", "note": "a\x00b"}, 400, "note")]
    for asked, status, named in cases:
        reply = api.post("/followups", asked)
        assert reply.status_code == status and named in body(reply)["Message"], (asked, body(reply))
    assert api.get("/followups?state=maybe").status_code == 400
    assert api.get("/followups/" + "A" * 32).status_code == 404
    assert api.post("/followups/" + "A" * 32 + "/done").status_code == 404


def test_a_callback_reaches_the_contact_center_and_a_failed_one_is_sent_again(api, sinch_center):
    center = sinch_center
    from app import app
    from devtools.triggers import run_schedules

    ann = body(api.post("/saveContact", ANN))
    sent = _promise(api, ann["id"], "2026-12-08T09:00:00Z", kind="callback")
    assert (sent["sync_state"], sent["sinch_id"]) == ("sent", "cb-1")
    assert center.callbacks == [{"customerNumber": "+14155550100", "notes": "About the renewal",
                                 "nextCallTime": "2026-12-08T09:00:00.000Z"}]
    task = _promise(api, ann["id"], "2026-12-08T10:00:00Z", kind="task")
    assert task["sync_state"] == "not_sent" and len(center.callbacks) == 1  # a task stays here

    center.fail_callbacks = 4  # every attempt of this request fails
    failed = _promise(api, ann["id"], "2026-12-09T09:00:00Z", kind="callback")
    assert failed["sync_state"] == "failed" and "503" in failed["sync_error"]
    run_schedules(app, ("rci-sync",))  # the sync's schedule sends it again
    assert body(api.get(f"/followups/{failed['id']}"))["sync_state"] == "sent" and len(center.callbacks) == 2
    run_schedules(app, ("rci-sync",))
    assert len(center.callbacks) == 2  # sent once

    nobody = body(api.post("/saveContact", {"first_name": "Mail", "email": "only@example.com"}))
    no_number = _promise(api, nobody["id"], "2026-12-09T09:00:00Z", kind="callback")
    assert no_number["sync_state"] == "no_number" and "phone" in no_number["sync_error"]


def test_an_erasure_takes_her_follow_ups_and_an_access_request_shows_them(api, table_items):
    ann = body(api.post("/saveContact", ANN))
    promised = _promise(api, ann["id"], "2026-12-08T09:00:00Z")
    document = body(api.post("/privacy/access-requests", {"email": "ann@example.com"}))["document"]
    assert [f["id"] for f in document["followups"][ann["id"]]] == [promised["id"]]
    receipt = erase(api, {"email": "ann@example.com"})
    assert receipt["counts"]["followups"] == 1
    assert api.get(f"/followups/{promised['id']}").status_code == 404
    assert body(api.get("/followups?owner=me"))["items"] == []
    left = [i for i in table_items() if "FOLLOWUP" in i["PK"]["S"] or i["PK"]["S"] == "CALLBACKSYNC"]
    assert left == []
