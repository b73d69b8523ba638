"""The erasure's promises at the edges: writers racing it from every door,
records from outside, the audit trail, third parties in access documents,
edits during an erasure, faults part-way (receipts that can be resumed)."""
from __future__ import annotations

import io
import json
import threading
import time

import pytest

from chalicelib.core.errors import Unavailable
from chalicelib.domain.terms import Term
from chalicelib.services.privacy import erasure as erasure_service
from chalicelib.store import contacts as contact_store
from chalicelib.store import interactions as call_store
from tests.api.conftest import add_attributes, body, erase
from tests.api.leftovers import Person, leftovers
from tests.api.test_rci_sync import SECRET, guid, record
from tests.fakes.contact_center import push_headers

pytestmark = pytest.mark.takes(31)

ZELINDA = Person("Zelinda", "Quarrington", phones=["+14155550147", "+14155550148"], emails=["zelinda.q@example.com"])



def push(api, records):
    raw = json.dumps(records).encode()
    return api.as_key(None).request("POST", "/rci/contacts", raw=raw, headers=push_headers(SECRET, raw))


def connect_save(api, contact_id: str, address: str) -> dict:
    event = {"Name": "ContactFlowEvent", "Details": {
        "ContactData": {"ContactId": contact_id, "InitialContactId": contact_id, "Channel": "VOICE",
                        "CustomerEndpoint": {"Address": address, "Type": "TELEPHONE_NUMBER"}},
        "Parameters": {"ivr_trail": "main>billing", "start_time": "2026-11-22T10:00:00Z"}}}
    return api.client.lambda_.invoke("connect_save", event).payload


def imported(path, text: str) -> int:
    """``cim import`` of a small file: 200 when its row was stored, 400 when refused."""
    from devtools import transfer

    path.write_text(text)
    done = transfer.import_csv(path, {}, workers=1, out=io.StringIO())
    return 400 if done.rejected else 200


def asked_for_everything(api, n: int) -> int:
    """An access request about her, carried to its end as a client would (202: run it again)."""
    reply = api.post("/privacy/access-requests", {"email" if n % 2 else "phone":
                                                  "zelinda.q@example.com" if n % 2 else "+1 415 555 0148"})
    while reply.status_code == 202:
        reply = api.post(f"/privacy/access-requests/{body(reply)['id']}/run")
    return reply.status_code


def create_zelinda(api) -> dict:
    made = api.post("/saveContact", {"first_name": "Zelinda", "last_name": "Quarrington",
                                     "phone1": "(415) 555-0147", "phone2": "415.555.0148",
                                     "email": "Zelinda.Q@Example.com"})
    assert made.status_code == 200, made.body
    return body(made)


def test_writers_racing_an_erasure_from_every_door_leave_nothing_of_her(api, signed, caplog, tmp_path,
                                                                        monkeypatch):
    """HTTP legs, Sinch pushes, Connect saves, bulk rows, `cim import` files
    and contact creates keep arriving from her numbers and address, and
    access requests keep copying what is held about her into the bucket,
    while she is erased; once they stop, nothing anywhere holds her (the
    calls that landed are kept without her number). The table's stream of
    all of it then goes out as events to a webhook that asks for full data:
    neither the event log, the deliveries nor what the webhook receives
    holds her."""
    from app import app
    from chalicelib.core.settings import get_settings
    from devtools.triggers import TableStream, pump
    from tests.api.test_webhooks import Receiver

    zelinda = create_zelinda(api)
    monkeypatch.setenv("CIM_WEBHOOK_ALLOW_LOOPBACK", "1")
    monkeypatch.setenv("CIM_WEBHOOK_FULL_DATA", "1")
    get_settings.cache_clear()
    stream = TableStream(get_settings().table_name)
    pump(app, stream)  # what she was before: delivered to nobody (no webhook yet)
    receiver = Receiver()
    api.post("/webhooks", {"url": receiver.url, "events": ["*"], "full_data": True})
    api.put("/wrapup-codes", {"codes": [{"code": "LOAN", "label": "Loan question"}]})
    for n in range(8):
        api.post(f"/interactions/updateOrSaveInteractionTree/Z-OLD-{n}",
                 {"interaction": {"leg_id": "ivr", "type": "voice"}, "ani": "+1 415 555 0147"})
    stop, outcomes, errors = threading.Event(), [], []
    merges: list[str] = []

    def merged(n: int) -> int:
        """Two more records of her made one: a merge (its undo is the next door)."""
        made = [api.post("/saveContact", {"first_name": "Zelinda", "last_name": f"M{n}", **held})
                for held in ({"phone1": "+14155550147"}, {"email": "zelinda.q@example.com"})]
        if any(m.status_code != 200 for m in made):
            return max(m.status_code for m in made)  # refused: her number or address is suppressed
        reply = api.post("/contacts/merge", {"survivor_id": body(made[0])["id"], "merged_ids": [body(made[1])["id"]]})
        if reply.status_code == 201:
            merges.append(body(reply)["merge_id"])
        return reply.status_code

    def undone(n: int) -> int:
        return api.post(f"/merges/{merges.pop(0)}/undo").status_code if merges else 0

    assert [merged(n) for n in (-2, -1)] == [201, 201]  # merged before the race: the undo door has work

    def writer(door: str, send) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                outcomes.append((door, send(n), n))
            except Exception as error:  # noqa: BLE001 - a crash of a door is a finding
                errors.append(f"{door}: {error!r}")
            time.sleep(0.005)

    doors = {
        "leg": lambda n: api.post(f"/interactions/updateOrSaveInteractionTree/Z-LEG-{n}", {
            "interaction": {"leg_id": "ivr", "type": "voice"}, "ani": "415-555-0147"}).status_code,
        "rci": lambda n: push(api, [record(1000 + n, source="+1 415 555 0148"),
                                    record(5000 + n, type="EMAILOUT", channel="EMAIL",
                                           destination="zelinda.q@example.com")]).status_code,
        "connect": lambda n: connect_save(api, f"z-connect-{n}", "+14155550147").get("saved"),
        "bulk": lambda n: api.post("/contacts/bulk", {"contacts": [
            {"first_name": "Zelinda", "last_name": "Quarrington", "phone1": "+14155550147"}]}).status_code,
        "create": lambda n: api.post("/saveContact", {"first_name": "Zelinda", "last_name": "Quarrington",
                                                      "email": "zelinda.q@example.com"}).status_code,
        "import": lambda n: imported(tmp_path / f"crm-{n}.csv",
                                     "first_name,last_name,phone1\nZelinda,Quarrington,415 555 0147\n"),
        "access": lambda n: asked_for_everything(api, n),
        # Agents write on her calls while she is erased: kept only if the call is swept after.
        "call_note": lambda n: api.post(f"/interactions/Z-OLD-{n % 8}/notes",
                                        {"text": "She asked about the loan again"}).status_code,
        "wrapup": lambda n: api.post(f"/interactions/Z-OLD-{n % 8}/wrapup",
                                     {"code": "LOAN", "note": "Promised the form"}).status_code,
        # A callback promised to her contact: lands before her contact goes (and goes after it) or finds it gone.
        "followup": lambda n: api.post("/followups", {"contact_id": zelinda["id"], "due_at": "2026-12-08T09:00:00Z",
                                                      "note": "Call Zelinda back", "kind": "callback"}).status_code,
        # Her records merged, and merges undone: the survivor holds her identifiers, an undo gives them back.
        "merge": merged,
        "undo": undone,
    }
    threads = [threading.Thread(target=writer, args=item) for item in doors.items()]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    receipt = erase(api, {"phone": "+1 415 555 0147"})
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors[:5]
    assert receipt["state"] == "done", receipt
    assert all(status != 500 for _, status, _ in outcomes)
    assert {door for door, _, _ in outcomes} == set(doors)  # every door wrote during the race
    # An access request answers its document, or 404 when the erasure took it while it gathered.
    assert {status for door, status, _ in outcomes if door == "access"} <= {200, 404}
    # A note or wrap-up on her call lands before the sweep (and goes with the call) or finds it gone
    # (a call already holding 50 notes refuses more with 413, on a slow machine's long race).
    assert {status for door, status, _ in outcomes if door == "call_note"} <= {201, 404, 413}
    assert {status for door, status, _ in outcomes if door == "wrapup"} <= {201, 404}
    assert {status for door, status, _ in outcomes if door == "followup"} <= {201, 404}
    # A merge lands before the sweep (and goes with her) or is refused: her identifiers suppressed, a
    # record gone or changed; an undo likewise (0: nothing to undo yet).
    assert {status for door, status, _ in outcomes if door == "merge"} <= {201, 400, 404, 409}
    assert {status for door, status, _ in outcomes if door == "undo"} <= {0, 200, 400, 404, 409}
    assert 200 in {status for door, status, _ in outcomes if door == "undo"}
    for n in range(8):
        assert api.get(f"/interactions/Z-OLD-{n}").status_code == 404
    _, status, last_leg = [o for o in outcomes if o[0] == "leg"][-1]
    assert status == 200  # a leg after the erasure is stored, without her number
    assert pump(app, stream) > 0  # every change of the race, as events, to the webhook
    delivered = " ".join(data.decode() for _, data in receiver.got).lower()
    receiver.server.shutdown()
    assert delivered and not [form for form in ZELINDA.forms() if form.lower() in delivered]
    left = leftovers(ZELINDA, caplog.text)
    assert left == [], left[:5]
    # Nor the keyed hash of her number or address in a holder marker (bulk and import rewrite them).
    from chalicelib.store import holders
    assert holders.read(holders.digests([Term("phone", "+14155550147"), Term("phone", "+14155550148"),
                                         Term("email", "zelinda.q@example.com")]).values()) == {}
    assert api.get(f"/contacts/{zelinda['id']}").status_code == 404
    kept = body(api.get(f"/interactions/Z-LEG-{last_leg}"))
    assert kept.get("phone_number") is None and kept["interactions"]


def test_a_sinch_push_after_the_erasure_keeps_neither_her_number_nor_her_address(api, signed, caplog):
    create_zelinda(api)
    assert erase(api, {"email": "zelinda.q@example.com"})["state"] == "done"
    sent = push(api, [record(1, type="CallIn", source="+14155550147", destination="320"),
                      record(2, type="EMAILOUT", channel="EMAIL", source="service@bank.example",
                             destination="Zelinda.Q@example.com", customerEmail="zelinda.q@example.com")])
    assert sent.status_code == 200 and [r["outcome"] for r in body(sent)["results"]] == ["stored", "stored"]
    for n in (1, 2):
        tree = body(api.get(f"/interactions/{guid(n, 'B')}"))
        assert tree.get("phone_number") is None and len(tree["interactions"]) == 1
    assert leftovers(ZELINDA, caplog.text) == []


def test_the_audit_trail_keeps_the_facts_of_an_erased_person_and_none_of_her_data(api, caplog):
    add_attributes(api, mobile="phone", note="text")  # a phone attribute not flagged pii, and free text
    zelinda = create_zelinda(api)
    api.put(f"/contacts/{zelinda['id']}", {"mobile": "+1 415 555 0149", "note": "Zelinda prefers mornings"})
    # An entry as the trail wrote them before it held names only (values kept):
    from chalicelib.store import audit as audit_store
    from chalicelib.store.codec import serialize
    legacy = audit_store.item({"id": "L" * 32, "at": "2026-01-01T00:00:00.000Z", "contact_id": zelinda["id"],
                               "action": "updated", "who": "old", "via": "PUT /contacts/{contact_id}",
                               "fields": {"phone2": "+14155550148", "note": "call Zelinda"}})
    from chalicelib.store.dynamo import call
    call("put_item", Item=serialize(legacy))
    trail = body(api.get(f"/contacts/{zelinda['id']}/changes"))["items"]
    assert trail[0]["fields"] == ["mobile", "note"] and "mornings" not in json.dumps(trail)

    assert erase(api, {"contact_id": zelinda["id"]})["state"] == "done"
    after = body(api.get(f"/contacts/{zelinda['id']}/changes?limit=100"))["items"]
    assert [e["action"] for e in after][:1] == ["erased"] and len(after) == 4  # created, updated, legacy, erased
    assert {tuple(e["fields"]) for e in after} >= {("note", "phone2")}  # the facts stay
    person = Person("Zelinda", "Quarrington", phones=ZELINDA.phones + ["+14155550149"], emails=ZELINDA.emails)
    assert leftovers(person, caplog.text) == []
    assert "mornings" not in json.dumps(after)


def test_an_access_document_holds_only_the_subject(api):
    zelinda = create_zelinda(api)
    paul = body(api.post("/saveContact", {"first_name": "Paul", "last_name": "Other", "phone1": "+14155550199"}))
    # A call from her second number that an agent linked to Paul, with his wrap-up.
    api.post("/interactions/updateOrSaveInteractionTree/PAULS-CALL", {
        "interaction": {"leg_id": "agent", "type": "voice", "start_time": "2026-11-22T10:00:00Z",
                        "wrap_up": "Paul asked about HIS overdue loan"},
        "ani": "+14155550148", "contact_id": paul["id"]})
    api.post("/interactions/updateOrSaveInteractionTree/HER-CALL", {
        "interaction": {"leg_id": "ivr", "type": "voice", "wrap_up": "her own question"}, "ani": "+14155550147"})
    document = body(api.post("/privacy/access-requests", {"contact_id": zelinda["id"]}))["document"]
    calls = {c["call_Id"]: c for c in document["calls"]}
    assert calls["HER-CALL"]["legs"]["ivr"]["wrap_up"] == "her own question"
    assert calls["PAULS-CALL"] == {"call_Id": "PAULS-CALL", "start_time": "2026-11-22T10:00:00.000Z",
                                   "end_time": "2026-11-22T10:00:00.000Z", "channels": ["voice"],
                                   "linked_to_another_contact": True}
    text = json.dumps(document)
    assert paul["id"] not in text and "HIS overdue" not in text and "Other" not in text

    # Her erasure leaves Paul his call, without her number.
    assert erase(api, {"contact_id": zelinda["id"]})["state"] == "done"
    kept = body(api.get("/interactions/PAULS-CALL"))
    assert kept["contact_id"] == paul["id"] and kept.get("phone_number") is None
    assert api.get("/interactions/HER-CALL").status_code == 404


def test_an_access_document_assembled_after_her_erasure_holds_nothing_of_her(api, monkeypatch, caplog):
    """The last gate, alone: a request that read her contact before she was
    erased, and that the erasure did not take (say it began a moment after
    the erasure looked), assembles without her: what it read of a contact
    holding a suppressed number or address, or of a call from one, is left out."""
    from chalicelib.services.privacy import access
    from chalicelib.store import privacy as privacy_store

    zelinda = create_zelinda(api)
    api.post("/interactions/updateOrSaveInteractionTree/Z-CALL",
             {"interaction": {"leg_id": "ivr", "type": "voice", "wrap_up": "Zelinda asked about her loan"},
              "ani": "+1 415 555 0147"})
    monkeypatch.setattr(access, "PAGE", 1)
    monkeypatch.setattr(access, "CALLS_A_READ", 55)  # a run makes a read or two, then answers 202
    job = body(api.post("/privacy/access-requests", {"phone": "+1 415 555 0148"}))

    def still_to_read() -> list:
        return privacy_store.access(job["id"]).work.reads

    while job["state"] == "running" and ["contact", zelinda["id"]] in still_to_read() or \
            not privacy_store.access(job["id"]).work.subjects:
        job = body(api.post(f"/privacy/access-requests/{job['id']}/run"))
    assert job["state"] == "running" and still_to_read()  # her contact is read; her calls are still to read
    monkeypatch.setattr(access, "forget_about", lambda digests, contact_ids: (0, True))  # the erasure misses the job
    assert erase(api, {"phone": "+1 415 555 0147"})["state"] == "done"
    while job["state"] == "running":
        job = body(api.post(f"/privacy/access-requests/{job['id']}/run"))
    document = body(api.get(f"/privacy/access-requests/{job['id']}"))["document"]
    assert document["contacts"] == [] and document["suppressed"] is True
    assert leftovers(ZELINDA, caplog.text) == []


def test_an_access_request_whose_person_is_erased_while_it_gathers_answers_what_is_held_now(api, monkeypatch):
    """The erasure takes the access request it finds gathering; the request
    asking is not refused for it: it gathers again and answers what is held
    then (nothing of her, her numbers marked suppressed)."""
    from chalicelib.services.privacy import access

    create_zelinda(api)
    real_run, taken = access.run, []

    def erased_meanwhile(request_id, *args, **kwargs):
        if not taken:  # the first gather: another client erases her, which takes the job
            taken.append(request_id)
            eraser = threading.Thread(target=lambda: taken.append(erase(api, {"phone": "+1 415 555 0148"})))
            eraser.start()
            eraser.join(timeout=60)
            assert taken[-1]["state"] == "done"
        return real_run(request_id, *args, **kwargs)

    monkeypatch.setattr(access, "run", erased_meanwhile)
    reply = api.post("/privacy/access-requests", {"phone": "+1 415 555 0148"})
    assert reply.status_code == 200, reply.body
    answer = body(reply)
    assert answer["id"] != taken[0] and answer["document"]["contacts"] == []
    assert answer["document"]["suppressed"] is True


def test_an_edit_during_the_erasure_never_fails_it(api, monkeypatch):
    zelinda = create_zelinda(api)
    real_delete = contact_store.delete
    edited = []

    def edited_meanwhile(old, audit=None):
        if not edited:  # another agent saves between the erasure's read and its delete
            edited.append(api.put(f"/contacts/{zelinda['id']}", {"phone2": "+1 415 555 0150"}).status_code)
        return real_delete(old, audit)

    monkeypatch.setattr(contact_store, "delete", edited_meanwhile)
    receipt = erase(api, {"email": "zelinda.q@example.com"})
    assert edited == [200]
    assert receipt["state"] == "done" and receipt["counts"]["contacts"] == 1
    # The number the edit added joined the erasure: it is suppressed too.
    refused = api.post("/saveContact", {"first_name": "New", "phone1": "+14155550150"})
    assert refused.status_code == 400 and "phone1" in body(refused)["Message"]


def test_a_long_name_edited_while_she_is_erased_leaves_none_of_its_search_entries(api, caplog):
    """A name of five words has every kind of name entry (words, pairs,
    beginnings, triples, its long-name words), each carrying the contact.
    Agents keep editing her while she is erased: no entry, and no word of
    her name, is left in the table, the bucket or the logs."""
    made = api.post("/saveContact", {"first_name": "Zelinda Ofelia de los", "last_name": "Quarrington Vallejo",
                                     "phone1": "(415) 555-0147", "email": "Zelinda.Q@Example.com"})
    assert made.status_code == 200, made.body
    zelinda = body(made)
    assert [c["id"] for c in body(api.get("/contacts?name=ofel%20vall"))["items"]] == [zelinda["id"]]
    # Each word on its own: the entries hold the name's words, not the fields as typed.
    people = [Person(first, last, phones=["+14155550147"], emails=ZELINDA.emails)
              for first, last in (("Zelinda", "Quarrington"), ("Ofelia", "Vallejo"))]
    assert all(leftovers(p) for p in people)  # the scan sees them before
    stop, statuses = threading.Event(), []

    def edit() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            statuses.append(api.put(f"/contacts/{zelinda['id']}", {"city": f"Sevilla {n}"}).status_code)

    add_attributes(api, city="text")
    editor = threading.Thread(target=edit)
    editor.start()
    try:
        receipt = erase(api, {"phone": "+14155550147"})
    finally:
        stop.set()
        editor.join()
    assert receipt["state"] == "done" and statuses and set(statuses) <= {200, 404, 409, 412}
    assert [leftovers(p, caplog.text) for p in people] == [[], []]
    assert body(api.get("/contacts?name=ofel%20vall"))["items"] == []


def test_a_fault_part_way_answers_the_erasure_id_lists_it_failed_and_it_resumes(api, monkeypatch):
    create_zelinda(api)
    api.post("/interactions/updateOrSaveInteractionTree/Z-1", {"interaction": {"leg_id": "a"},
                                                               "ani": "+14155550147"})
    real_erase = call_store.erase

    def table_down(tree):
        raise Unavailable("the table is not reachable; try again")

    monkeypatch.setattr(call_store, "erase", table_down)
    first = api.post("/privacy/erasures", {"phone": "+14155550147"})
    assert first.status_code == 202
    receipt = body(first)
    assert receipt["state"] == "failed" and "run it again" in receipt["error"]
    assert first.headers["Location"].endswith(f"/privacy/erasures/{receipt['id']}")
    listed = body(api.get("/privacy/erasures?state=failed"))
    assert [r["id"] for r in listed] == [receipt["id"]]
    # Meanwhile her number is already suppressed: nothing new holds it.
    assert api.post("/saveContact", {"first_name": "Z", "phone1": "+14155550147"}).status_code == 400

    monkeypatch.setattr(call_store, "erase", real_erase)
    resumed = api.post(f"/privacy/erasures/{receipt['id']}/run")
    assert resumed.status_code == 200 and body(resumed)["state"] == "done" and "error" not in body(resumed)
    assert api.get("/interactions/Z-1").status_code == 404
    assert [r["state"] for r in body(api.get("/privacy/erasures"))] == ["done"]
    assert api.get("/privacy/erasures?state=maybe").status_code == 400


def test_a_person_with_many_records_is_erased_over_several_passes_each_within_the_call_cap(api, caplog):
    """Seventy contacts of hers (one e-mail address, a number each), three of
    them merged into others, and calls from a dozen of her numbers: more than
    one request can read, so the erasure goes on pass by pass from where the
    last stopped (``erase`` asserts the call cap on every pass) and ends."""
    zelinda = Person("Zelinda", "Quarrington", phones=[f"+1415555{1000 + n}" for n in range(70)],
                     emails=["zelinda.q@example.com"])
    made = []
    for phone in zelinda.phones:
        reply = api.post("/saveContact", {"first_name": "Zelinda", "last_name": "Quarrington", "phone1": phone,
                                          "email": "zelinda.q@example.com"})
        assert reply.status_code == 200, reply.body
        made.append(body(reply)["id"])
    for n in range(3):
        assert api.post("/contacts/merge", {"survivor_id": made[n], "merged_ids": [made[60 + n]]}).status_code == 201
    for n in range(12):
        api.post(f"/interactions/updateOrSaveInteractionTree/Z-MANY-{n}",
                 {"interaction": {"leg_id": "ivr", "type": "voice"}, "ani": zelinda.phones[n * 5]})
    passes = []
    real_post = api.post

    def counting_post(path, *args, **kwargs):
        passes.append(path)
        return real_post(path, *args, **kwargs)

    api.post = counting_post
    receipt = erase(api, {"email": "zelinda.q@example.com"})
    api.post = real_post
    assert receipt["state"] == "done" and receipt["counts"]["contacts"] == 67 and receipt["counts"]["calls"] == 12
    assert len(passes) > 3  # it did take several passes (67 contacts: three were merged into others)
    assert leftovers(zelinda, caplog.text) == []
    assert all(api.get(f"/contacts/{c}").status_code == 404 for c in made[::7])
    # Nor the keyed hash of any of her numbers in a holder marker.
    from chalicelib.store import holders
    held = holders.read(holders.digests(
        [Term("phone", p) for p in zelinda.phones] + [Term("email", e) for e in zelinda.emails]).values())
    assert held == {}


def test_the_scheduled_runner_resumes_failed_erasures(api, monkeypatch):
    create_zelinda(api)
    monkeypatch.setattr(contact_store, "delete", lambda *a, **k: (_ for _ in ()).throw(Unavailable("down")))
    receipt = body(api.post("/privacy/erasures", {"phone": "+14155550147"}))
    assert receipt["state"] == "failed"
    monkeypatch.undo()
    # As EventBridge invokes the rule's function.
    api.client.lambda_.invoke("resume-erasures", api.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]))
    assert body(api.get(f"/privacy/erasures/{receipt['id']}"))["state"] == "done"
    assert erasure_service.resume_all() == []


def test_an_old_push_never_rolls_a_call_back_and_a_stale_signature_is_refused(api, signed):
    queued = record(1, status="InQueue", handlingDuration=0, disconnectTime=None)
    handled = record(1, status="Handled", handlingDuration=60000, agentId="A" * 32, agentName="agent-7",
                     connectTime="2026-11-22T10:00:30.000Z", disconnectTime="2026-11-22T10:01:30.000Z")
    handled["arrivalTime"] = queued["arrivalTime"]
    assert body(push(api, [queued]))["results"][0]["outcome"] == "stored"
    assert body(push(api, [handled]))["results"][0]["outcome"] == "updated"
    replay = push(api, [queued])
    assert replay.status_code == 200 and body(replay)["results"][0]["outcome"] == "unchanged"
    leg = body(api.get(f"/interactions/{guid(1, 'B')}"))["interactions"][0]
    assert leg["call_disposition"] == "Handled" and leg["call_duration"] == 60 and leg["agentName"] == "agent-7"

    raw = json.dumps([queued]).encode()
    for at in (time.time() - 301, time.time() + 301):
        old = api.as_key(None).request("POST", "/rci/contacts", raw=raw, headers=push_headers(SECRET, raw, at))
        assert old.status_code == 401 and "X-CIM-Timestamp" in body(old)["Message"]
    headers = push_headers(SECRET, raw)
    headers["X-CIM-Timestamp"] = str(int(headers["X-CIM-Timestamp"]) + 1)  # the signature covers the time
    assert api.as_key(None).request("POST", "/rci/contacts", raw=raw, headers=headers).status_code == 401
