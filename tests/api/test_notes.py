"""Notes on contacts and calls: written, listed newest first, refused
clearly, counted in DynamoDB calls, recorded (without their text) in the
audit trail."""
from __future__ import annotations

import json

import pytest

from tests.api.conftest import body

PROMISE = "Promised a callback on Monday about the 50% offer"


@pytest.fixture
def ann(api):
    return body(api.post("/saveContact", {"first_name": "Ann", "phone1": "+1 415 555 0101"}))


def test_a_contact_note_is_written_listed_newest_first_and_audited_without_its_text(api, ann):
    first = api.post(f"/contacts/{ann['id']}/notes", {"text": "  Asked about fees  "})
    assert first.status_code == 201, first.body
    assert sorted(api.calls) == ["TransactWriteItems"]  # the note, the contact's guard, the audit entry
    second = body(api.post(f"/contacts/{ann['id']}/notes", {"text": PROMISE}))
    made = body(first)
    assert made["text"] == "Asked about fees" and made["author"] == "bootstrap-admin" and made["created_at"]
    listed = api.get(f"/contacts/{ann['id']}/notes?limit=1")
    # the contact (who was merged into it), then its notes
    assert [n["text"] for n in body(listed)["items"]] == [PROMISE] and api.calls == ["GetItem", "Query"]
    rest = body(api.get(f"/contacts/{ann['id']}/notes?limit=1&cursor={body(listed)['cursor']}"))
    assert [n["id"] for n in rest["items"]] == [made["id"]] and second["id"] != made["id"]
    trail = body(api.get(f"/contacts/{ann['id']}/changes"))["items"]
    assert [e["action"] for e in trail[:2]] == ["noted", "noted"] and trail[0]["fields"] == ["notes"]
    assert "Monday" not in json.dumps(trail)
    # A note does not move the contact's version: an edit read before it still saves.
    assert api.put(f"/contacts/{ann['id']}", {"last_name": "Lee", "version": ann["version"]}).status_code == 200


@pytest.mark.parametrize("sent, words", [
    ({"text": ""}, "text"), ({"text": "   "}, "blank"), ({"text": 5}, "text"), ({}, "text"),
    ({"text": "x" * 4001}, "text"), ({"text": "bad\x00byte"}, "control"), ({"text": "ok", "colour": "red"}, "colour"),
])
def test_a_bad_note_is_a_400_naming_the_problem(api, ann, sent, words):
    reply = api.post(f"/contacts/{ann['id']}/notes", sent)
    assert reply.status_code == 400 and words in body(reply)["Message"], reply.body
    assert body(api.get(f"/contacts/{ann['id']}/notes"))["items"] == []


def test_notes_on_an_unknown_contact_or_call_are_404_and_store_nothing(api, table_items):
    before = len(table_items())
    assert api.post(f"/contacts/{'A' * 32}/notes", {"text": PROMISE}).status_code == 404
    assert api.get(f"/contacts/{'A' * 32}/notes").status_code == 404
    assert api.post("/interactions/NO-SUCH-CALL/notes", {"text": PROMISE}).status_code == 404
    assert api.get("/interactions/NO-SUCH-CALL/notes").status_code == 404
    assert api.post("/contacts/not-an-id/notes", {"text": PROMISE}).status_code == 400
    assert len(table_items()) == before


def test_a_call_note_shows_in_the_calls_json_and_in_its_contacts_trail(api, ann):
    api.post("/interactions/updateOrSaveInteractionTree/CALL-N1",
             {"interaction": {"leg_id": "ivr", "type": "voice"}, "ani": "+1 415 555 0101"})
    api.put("/interactions/CALL-N1/contact", {"contact_id": ann["id"]})
    reply = api.post("/interactions/CALL-N1/notes", {"text": PROMISE})
    assert reply.status_code == 201, reply.body
    assert sorted(api.calls) == ["GetItem", "TransactWriteItems"]
    api.post("/interactions/CALL-N1/notes", {"text": "Sent the form"})
    tree = body(api.get("/interactions/CALL-N1"))
    assert [n["text"] for n in tree["notes"]] == [PROMISE, "Sent the form"]
    assert [n["text"] for n in body(api.get("/interactions/CALL-N1/notes"))["items"]] == ["Sent the form", PROMISE]
    trail = body(api.get(f"/contacts/{ann['id']}/changes"))["items"]
    assert trail[0]["action"] == "noted" and trail[0]["call_Id"] == "CALL-N1"
    # A leg saved after the notes keeps them.
    api.post("/interactions/updateOrSaveInteractionTree/CALL-N1",
             {"interaction": {"leg_id": "agent", "type": "voice", "agentId": "a-7"}})
    assert len(body(api.get("/interactions/CALL-N1"))["notes"]) == 2


def test_a_call_holds_at_most_fifty_notes(api, monkeypatch):
    from chalicelib.services.calls import interactions

    monkeypatch.setattr(interactions, "MAX_CALL_NOTES", 2)
    api.post("/interactions/updateOrSaveInteractionTree/CALL-N2", {"interaction": {"leg_id": "ivr"}})
    for n in range(2):
        assert api.post("/interactions/CALL-N2/notes", {"text": f"note {n}"}).status_code == 201
    refused = api.post("/interactions/CALL-N2/notes", {"text": "one too many"})
    assert refused.status_code == 413 and "contact instead" in body(refused)["Message"]


def test_a_replayed_note_with_the_same_idempotency_key_is_written_once(api, ann):
    key = {"Idempotency-Key": "note-ann-1"}
    first = api.post(f"/contacts/{ann['id']}/notes", {"text": PROMISE}, headers=key)
    again = api.post(f"/contacts/{ann['id']}/notes", {"text": PROMISE}, headers=key)
    assert first.status_code == again.status_code == 201 and body(first) == body(again)
    assert len(body(api.get(f"/contacts/{ann['id']}/notes"))["items"]) == 1


def test_an_ivr_key_may_not_write_or_read_notes(api, ann):
    ivr = body(api.post("/keys", {"name": "ivr", "role": "ivr"}))["key"]
    assert api.as_key(ivr).post(f"/contacts/{ann['id']}/notes", {"text": PROMISE}).status_code == 403
    assert api.as_key(ivr).get(f"/contacts/{ann['id']}/notes").status_code == 403


# --- privacy -----------------------------------------------------------------------

def _zelinda_with_notes(api) -> dict:
    from tests.api.test_erasure_guarantees import create_zelinda

    zelinda = create_zelinda(api)
    for n in range(3):
        assert api.post(f"/contacts/{zelinda['id']}/notes", {"text": f"Zelinda Quarrington asked ({n})"}).status_code == 201
    api.post("/interactions/updateOrSaveInteractionTree/Z-NOTED",
             {"interaction": {"leg_id": "ivr", "type": "voice"}, "ani": "+1 415 555 0147"})
    api.post("/interactions/Z-NOTED/notes", {"text": "Zelinda wants a call at 0147"})
    return zelinda


def test_an_access_request_returns_her_notes_and_an_erasure_takes_them(api, caplog, monkeypatch):
    from chalicelib.store import notes as notes_store
    from tests.api.conftest import erase
    from tests.api.leftovers import leftovers
    from tests.api.test_erasure_guarantees import ZELINDA

    zelinda = _zelinda_with_notes(api)
    document = body(api.post("/privacy/access-requests", {"contact_id": zelinda["id"]}))["document"]
    assert [n["text"] for n in document["notes"][zelinda["id"]]] == [f"Zelinda Quarrington asked ({n})"
                                                                     for n in (2, 1, 0)]
    assert [n["text"] for c in document["calls"] for n in c.get("notes", [])] == ["Zelinda wants a call at 0147"]
    monkeypatch.setattr(notes_store.drop_some, "__defaults__", (1,))  # page by page: one note a Query
    receipt = erase(api, {"email": "zelinda.q@example.com"})
    assert receipt["state"] == "done" and receipt["counts"]["notes"] == 4, receipt["counts"]
    assert leftovers(ZELINDA, caplog.text) == []
    assert api.get(f"/contacts/{zelinda['id']}/notes").status_code == 404


def test_a_note_racing_her_erasure_lands_before_and_is_swept_or_is_refused(api, caplog):
    """Agents keep writing notes on her card while she is erased: each is a
    201 (written before the contact went, then swept) or a 404, and nothing
    of her is left."""
    import threading
    import time

    from tests.api.conftest import erase
    from tests.api.leftovers import leftovers
    from tests.api.test_erasure_guarantees import ZELINDA, create_zelinda

    zelinda = create_zelinda(api)
    stop, statuses = threading.Event(), []

    def agent() -> None:
        while not stop.is_set():
            statuses.append(api.post(f"/contacts/{zelinda['id']}/notes",
                                     {"text": "Zelinda Quarrington called again"}).status_code)

    writer = threading.Thread(target=agent)
    writer.start()
    while 201 not in statuses:
        time.sleep(0.01)
    receipt = erase(api, {"phone": "+1 415 555 0147"})
    answered = len(statuses)
    while len(statuses) < answered + 2:  # one note begun after the erasure ended has answered
        time.sleep(0.01)
    stop.set()
    writer.join(timeout=30)
    assert receipt["state"] == "done" and receipt["counts"]["notes"] >= 1
    assert set(statuses) <= {201, 404} and 404 in statuses
    assert leftovers(ZELINDA, caplog.text) == []


def test_a_call_from_her_number_kept_for_another_contact_loses_what_agents_wrote_of_it(api, caplog):
    """She called about Bob's account: the call stays Bob's, without her
    number, its notes and its wrap-up's note (the wrap-up code stays, for
    the counts)."""
    from tests.api.conftest import erase
    from tests.api.leftovers import leftovers
    from tests.api.test_erasure_guarantees import ZELINDA, create_zelinda

    create_zelinda(api)
    bob = body(api.post("/saveContact", {"first_name": "Bob", "phone1": "+1 415 555 0190"}))
    api.put("/wrapup-codes", {"codes": [{"code": "BILLING", "label": "Billing question"}]})
    api.post("/interactions/updateOrSaveInteractionTree/Z-FOR-BOB",
             {"interaction": {"leg_id": "ivr", "type": "voice"}, "ani": "+1 415 555 0147"})
    api.put("/interactions/Z-FOR-BOB/contact", {"contact_id": bob["id"]})
    api.post("/interactions/Z-FOR-BOB/notes", {"text": "Zelinda called for her husband"})
    api.post("/interactions/Z-FOR-BOB/wrapup", {"code": "BILLING", "note": "Zelinda will send the form"})
    receipt = erase(api, {"phone": "+1 415 555 0147"})
    assert receipt["state"] == "done" and receipt["counts"]["calls_kept_for_others"] == 1
    kept = body(api.get("/interactions/Z-FOR-BOB"))
    assert kept["contact_id"] == bob["id"] and kept["phone_number"] is None and kept["notes"] == []
    assert [(w["code"], w["note"]) for w in kept["wrapups"]] == [("BILLING", None)]
    assert leftovers(ZELINDA, caplog.text) == []
