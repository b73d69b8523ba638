"""Privacy: erasure with a receipt, suppression, access requests, the audit
trail, consents, personal fields and retention, as a client sees them."""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.core.metering import MAX_CALLS_PER_REQUEST
from chalicelib.core.settings import get_settings
from chalicelib.store import aws
from tests.api.conftest import add_attributes, body, erase

pytestmark = pytest.mark.takes(16)

PHONE1, PHONE2, EMAIL = "+1 415 555 0100", "+1 415 555 0101", "ann.lee@example.com"
PERSONAL = ("4155550100", "4155550101", "ann.lee@example.com", "Ann", "Leeward", "AC-77")


def leg(api, call_id, ani=None, **fields):
    payload = {"interaction": {"leg_id": "L1", "type": "voice", "start_time": "2026-11-20T10:00:00Z"} | fields}
    if ani:
        payload["ani"] = ani
    reply = api.post(f"/interactions/updateOrSaveInteractionTree/{call_id}", payload)
    assert reply.status_code == 200, reply.body
    return reply


def attach(api, **where):
    made = body(api.post("/s3attachments", {"fileName": "id.pdf", "mimeType": "application/pdf", "size": 4} | where))
    aws.s3().put_object(Bucket=get_settings().bucket_name, Key=made["upload"]["fields"]["key"], Body=b"%PDF",
                        ContentType="application/pdf")
    return made


def person(api):
    add_attributes(api, account={"type": "text", "unique": True, "pii": True}, tier="text")
    ann = body(api.post("/saveContact", {"first_name": "Ann", "last_name": "Leeward", "phone1": PHONE1,
                                         "phone2": PHONE2, "email": EMAIL, "account": "AC-77", "tier": "gold"}))
    for n in range(20):  # calls only from her numbers
        leg(api, f"FROM-{n}", ani=PHONE1 if n % 2 else PHONE2)
    for n in range(10):  # calls from elsewhere, linked to her
        leg(api, f"LINKED-{n}", ani="+1 212 555 0199" if n < 5 else None)
        assert api.put(f"/interactions/LINKED-{n}/contact", {"contact_id": ann["id"]}).status_code == 200
    files = [attach(api, contact_id=ann["id"]), attach(api, call_Id="FROM-3")]
    return ann, files


def holds_personal_data(items) -> list[str]:
    text = json.dumps(items)
    return [p for p in PERSONAL if p in text]


def test_one_erasure_forgets_a_person_everywhere_and_says_what_it_did(api, table_items):
    ann, files = person(api)
    other = body(api.post("/saveContact", {"first_name": "Bo", "phone1": "+1 212 555 0199"}))
    receipt = erase(api, {"phone": "(415) 555-0101"})  # her second number names her; a pass a request
    assert receipt["state"] == "done" and receipt["requested_by"] == "bootstrap-admin"
    assert receipt["counts"]["contacts"] == 1 and receipt["counts"]["calls"] == 30
    assert receipt["counts"]["legs"] == 30 and receipt["counts"]["attachments"] == 2
    assert receipt["counts"]["files"] == 2 and receipt["counts"]["unique_claims"] == 1
    assert receipt["counts"]["suppressed"] == 3  # both numbers and the address
    assert receipt["identifier"]["kind"] == "phone" and len(receipt["identifier"]["hash"]) == 64
    assert not holds_personal_data(receipt)

    # Nothing readable through any route holds her.
    assert api.get(f"/contacts/{ann['id']}").status_code == 404
    for ani in (PHONE1, PHONE2):
        assert body(api.post("/contacts/lookup", {"ani": ani}))["match"] == "none"
    assert body(api.get(f"/contacts?email={EMAIL}"))["items"] == []
    for call_id in [f"FROM-{n}" for n in range(20)] + [f"LINKED-{n}" for n in range(10)]:
        assert api.get(f"/interactions/{call_id}").status_code == 404, call_id
    for made in files:
        assert api.get(f"/attachments/{made['id']}").status_code == 404
        assert api.as_key(None).get(made["shortUrl"][made["shortUrl"].index("/a/"):]).status_code == 404
        assert aws.s3().list_objects_v2(Bucket=get_settings().bucket_name,
                                        Prefix=made["upload"]["fields"]["key"]).get("KeyCount") == 0
    # Her unique value is free again; Bo (who shared no identifier) is untouched.
    new = body(api.post("/saveContact", {"first_name": "New", "account": "AC-77"}))
    assert api.get(f"/contacts/{other['id']}").status_code == 200
    # Nowhere in the table, but in what belongs to Bo and the new contact, is anything of hers.
    rest = [i for i in table_items() if new["id"] not in json.dumps(i) and other["id"] not in json.dumps(i)]
    assert len(rest) > 10 and holds_personal_data(rest) == []
    assert not [i for i in rest if i["PK"]["S"] in (f"HIST#{ann['id']}", f"ATTS#{ann['id']}")
                or i["PK"]["S"].startswith(("CALL#", "CALLS#", "CALLER#phone#+1415", "CALLER#email", "ATT#", "SHORT#"))]

    # Erasing again is harmless: nothing left to find.
    again = body(api.post("/privacy/erasures", {"contact_id": ann["id"]}))
    assert again["state"] == "done" and again["counts"]["contacts"] == again["counts"]["calls"] == 0
    assert body(api.get(f"/privacy/erasures/{receipt['id']}")) == receipt


def test_nothing_brings_an_erased_person_back_until_the_suppression_is_lifted(api):
    ann, _ = person(api)
    assert erase(api, {"email": "ANN.LEE@example.com"})["state"] == "done"
    # A replayed or new call from her number is kept without it.
    leg(api, "AFTER-1", ani=PHONE1)
    tree = body(api.get("/interactions/AFTER-1"))
    assert tree["phone_number"] is None and tree["shown_to"] == [] and tree["contact_id"] is None
    # Contact writes holding any of her identifiers are refused, naming the field.
    refused = api.post("/saveContact", {"first_name": "Ann", "phone2": "415-555-0101"})
    assert refused.status_code == 400 and body(refused)["Message"].startswith("phone2: this number belongs")
    bulk = body(api.post("/contacts/bulk", {"contacts": [{"first_name": "X", "email": EMAIL},
                                                         {"first_name": "Y", "phone1": "415-555-0123"}]}))
    assert [r["outcome"] for r in bulk["results"]] == ["rejected", "created"]
    other = body(api.post("/saveContact", {"first_name": "Cy"}))
    assert api.put(f"/contacts/{other['id']}", {"phone1": PHONE1}).status_code == 400
    listed = body(api.get("/privacy/suppressions"))
    assert len(listed) == 3 and not holds_personal_data(listed)
    # The customer comes back and asks to be known again.
    lifted = api.post("/privacy/suppressions/lift", {"phone": "4155550100"})
    assert lifted.status_code == 200 and body(lifted)["state"] == "lifted"
    assert api.post("/privacy/suppressions/lift", {"phone": "4155550100"}).status_code == 404
    assert api.put(f"/contacts/{other['id']}", {"phone1": PHONE1}).status_code == 200


def test_a_large_erasure_runs_as_a_resumable_job(api, monkeypatch):
    person(api)
    monkeypatch.setenv("CIM_JOB_SECONDS", "0")
    get_settings.cache_clear()
    started = api.post("/privacy/erasures", {"phone": PHONE1})
    assert started.status_code == 202 and body(started)["state"] == "running"
    erasure_id = body(started)["id"]
    assert started.headers["Location"].endswith(f"/privacy/erasures/{erasure_id}")
    monkeypatch.setenv("CIM_JOB_SECONDS", "30")
    get_settings.cache_clear()
    done = body(api.post(f"/privacy/erasures/{erasure_id}/run"))
    while done["state"] == "running":  # each pass also stops at the request's call cap
        assert len(api.calls) <= MAX_CALLS_PER_REQUEST
        done = body(api.post(f"/privacy/erasures/{erasure_id}/run"))
    assert done["state"] == "done" and done["counts"]["contacts"] == 1 and done["counts"]["calls"] == 30
    assert body(api.post(f"/privacy/erasures/{erasure_id}/run")) == done  # a finished job stays finished


def test_an_erasure_takes_every_version_of_her_files(api):
    """The bucket is versioned (as deployed): a file uploaded twice has two
    versions, and a delete that left the older one would leave her behind."""
    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": PHONE1}))
    made = attach(api, contact_id=ann["id"])
    key = made["upload"]["fields"]["key"]
    aws.s3().put_object(Bucket=get_settings().bucket_name, Key=key, Body=b"%PDF again", ContentType="application/pdf")
    versions = aws.s3().list_object_versions(Bucket=get_settings().bucket_name, Prefix=key).get("Versions", [])
    assert len(versions) == 2
    erase(api, {"phone": PHONE1})
    left = aws.s3().list_object_versions(Bucket=get_settings().bucket_name, Prefix=key)
    assert left.get("Versions", []) == [] and left.get("DeleteMarkers", []) == []


def test_erasure_requests_name_one_identifier(api):
    for bad in ({}, {"phone": "1", "email": "a@b.c"}, {"phone": "not a number"}, {"email": "nope"},
                {"contact_id": "x"}, {"name": "Ann"}, {"phone": 4155550100}):
        reply = api.post("/privacy/erasures", bad)
        assert reply.status_code == 400, (bad, reply.body)
    assert api.get("/privacy/erasures/" + "F" * 32).status_code == 404


def test_an_access_request_hands_over_everything_held(api):
    ann, files = person(api)
    api.put(f"/contacts/{ann['id']}/consents/recording", {"granted": True, "source": "ivr"})
    reply = api.post("/privacy/access-requests", {"phone": PHONE1})
    assert reply.status_code == 200, reply.body
    answer = body(reply)
    assert answer["delivery"] == "inline"
    held = answer["document"]
    assert [c["id"] for c in held["contacts"]] == [ann["id"]] and held["contacts"][0]["account"] == "AC-77"
    assert len(held["calls"]) == 30 and len(held["history"][ann["id"]]) == 30
    assert held["consents"][ann["id"]]["recording"]["granted"] is True
    assert {f["id"] for f in held["attachments"]} == {f["id"] for f in files}
    assert all(f["shortUrl"].startswith("http") or f["shortUrl"].startswith("/a/") for f in held["attachments"])
    actions = [e["action"] for e in held["changes"][ann["id"]]]
    assert actions[0] == "created" and actions.count("linked") == 10 and "consent" in actions


def test_an_access_request_for_a_person_with_several_contacts_answers_in_one_request(api):
    """Each of her contacts brings five reads (the contact, its history, files,
    changes and follow-ups); only the reads that find someone new are saved
    on the spot, so four contacts still fit one request's call cap."""
    made = [body(api.post("/saveContact", {"first_name": "Ann", "last_name": f"Lee{n}", "phone1": PHONE1,
                                           "phone2": PHONE2, "email": EMAIL}))["id"] for n in range(4)]
    reply = api.post("/privacy/access-requests", {"phone": PHONE1})
    assert reply.status_code == 200, reply.body
    assert sorted(c["id"] for c in body(reply)["document"]["contacts"]) == sorted(made)
    assert api.calls.count("PutItem") <= 5, api.calls


def document_of(answer):
    return {k: v for k, v in answer["document"].items() if k != "generated_at"}


def test_an_access_request_too_large_for_a_request_gathers_as_a_resumable_job(api, monkeypatch):
    from chalicelib.services.privacy import access

    ann, _ = person(api)
    at_once = body(api.post("/privacy/access-requests", {"email": EMAIL}))
    # Small pages: the same person takes many reads, more than one request may make.
    monkeypatch.setattr(access, "PAGE", 1)
    started = api.post("/privacy/access-requests", {"email": EMAIL})
    assert started.status_code == 202, started.body
    job = body(started)
    assert job["state"] == "running" and "document" not in job and len(api.calls) <= MAX_CALLS_PER_REQUEST
    assert started.headers["Location"].endswith(f"/privacy/access-requests/{job['id']}")
    assert not holds_personal_data(job)  # the job shows the identifier's keyed hash only
    passes = 1
    while job["state"] == "running":
        reply = api.post(f"/privacy/access-requests/{job['id']}/run")
        assert len(api.calls) <= MAX_CALLS_PER_REQUEST, api.calls
        job, passes = body(reply), passes + 1
    assert passes > 2 and job["state"] == "done" and reply.status_code == 200
    assert document_of(job) == document_of(at_once)  # the same document, however it was gathered
    assert document_of(body(api.get(f"/privacy/access-requests/{job['id']}"))) == document_of(at_once)
    listed = body(api.get("/privacy/access-requests"))
    assert [a["id"] for a in listed] == [job["id"], at_once["id"]] and "document" not in listed[0]
    assert all(a["state"] == "done" and a["delivery"] == "file" for a in listed)
    assert not holds_personal_data(listed)
    # Only the document is left in the bucket: what each read found is gone.
    kept = aws.s3().list_objects_v2(Bucket=get_settings().bucket_name, Prefix=f"privacy/access/{job['id']}/")
    assert [o["Key"].rsplit("/", 1)[1] for o in kept["Contents"]] == ["document.json"]
    assert api.get("/privacy/access-requests/" + "F" * 32).status_code == 404
    assert api.get("/privacy/access-requests?state=lost").status_code == 400


def test_an_access_request_stopped_by_a_fault_resumes_where_it_stopped(api, monkeypatch):
    from chalicelib.services.privacy import access
    from chalicelib.store import interactions as call_store

    person(api)
    whole = document_of(body(api.post("/privacy/access-requests", {"phone": PHONE1})))
    real, failures = call_store.get_many, iter([True, False, True])

    def flaky(ids):
        if next(failures, False):
            raise access.DomainError("the table is not reachable")
        return real(ids)

    monkeypatch.setattr(call_store, "get_many", flaky)
    job = body(api.post("/privacy/access-requests", {"phone": PHONE1}))
    assert job["state"] == "failed" and job["error"].startswith("the table is not reachable; run it again")
    assert body(api.get("/privacy/access-requests?state=failed"))[0]["id"] == job["id"]
    job = body(api.post(f"/privacy/access-requests/{job['id']}/run"))
    assert job["state"] == "failed"
    job = body(api.post(f"/privacy/access-requests/{job['id']}/run"))
    assert job["state"] == "done" and "error" not in job and document_of(job) == whole


def test_the_scheduled_runner_finishes_access_requests(api, monkeypatch):
    from chalicelib.services.privacy import access

    person(api)
    monkeypatch.setenv("CIM_JOB_SECONDS", "0")
    get_settings.cache_clear()
    job = body(api.post("/privacy/access-requests", {"phone": PHONE2}))
    assert job["state"] == "running"
    monkeypatch.setenv("CIM_JOB_SECONDS", "30")
    get_settings.cache_clear()
    # As EventBridge invokes the rule's function.
    api.client.lambda_.invoke("resume-erasures", api.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]))
    done = body(api.get(f"/privacy/access-requests/{job['id']}"))
    assert done["state"] == "done" and len(done["document"]["calls"]) == 30
    assert access.resume_all() == []


def test_an_erasure_takes_the_access_documents_about_the_person_with_it(api, monkeypatch):
    from chalicelib.services.privacy import access

    ann, _ = person(api)
    bo = body(api.post("/saveContact", {"first_name": "Bo", "phone1": "+1 212 555 0199"}))
    by_email = body(api.post("/privacy/access-requests", {"email": EMAIL}))
    by_id = body(api.post("/privacy/access-requests", {"contact_id": ann["id"]}))
    bos = body(api.post("/privacy/access-requests", {"contact_id": bo["id"]}))
    monkeypatch.setattr(access, "PAGE", 1)
    gathering = body(api.post("/privacy/access-requests", {"phone": PHONE2}))
    assert gathering["state"] == "running"
    monkeypatch.setattr(access, "PAGE", 100)

    receipt = erase(api, {"phone": PHONE1})
    assert receipt["counts"]["access_requests"] == 3  # found by her e-mail, her contact id and her other number
    for gone in (by_email, by_id, gathering):
        assert api.get(f"/privacy/access-requests/{gone['id']}").status_code == 404
        assert api.post(f"/privacy/access-requests/{gone['id']}/run").status_code == 404
    assert body(api.get(f"/privacy/access-requests/{bos['id']}"))["state"] == "done"  # Bo's stays his
    left = aws.s3().list_objects_v2(Bucket=get_settings().bucket_name, Prefix="privacy/access/").get("Contents", [])
    assert [o["Key"] for o in left] == [f"privacy/access/{bos['id']}/document.json"]


def test_a_gathering_cut_off_by_an_erasure_leaves_nothing_behind(api, monkeypatch):
    """The erasure takes the job between two reads of a run: the run's next
    save fails, and it removes what it wrote (the finds of its first read too)."""
    from chalicelib.services.privacy import access

    person(api)
    monkeypatch.setattr(access, "PAGE", 1)
    job = body(api.post("/privacy/access-requests", {"phone": PHONE1}))
    reads = []

    def erased_meanwhile(read):
        def reading(work, *args):
            reads.append(1)
            if len(reads) == 2:  # after the run's first read wrote its finds
                access.forget_about({job["identifier"]["hash"]}, set())
            return read(work, *args)
        return reading

    monkeypatch.setattr(access, "_READS", {kind: erased_meanwhile(read) for kind, read in access._READS.items()})
    assert api.post(f"/privacy/access-requests/{job['id']}/run").status_code == 404
    left = aws.s3().list_objects_v2(Bucket=get_settings().bucket_name, Prefix="privacy/access/").get("Contents", [])
    assert left == []


def test_every_contact_write_leaves_exactly_one_change_record(api):
    add_attributes(api, tier="text", account={"type": "text", "unique": True})

    def changes(contact_id):
        return body(api.get(f"/contacts/{contact_id}/changes?limit=100"))["items"]

    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": PHONE1, "tier": "gold"}))
    first = changes(ann["id"])
    assert len(first) == 1 and first[0]["action"] == "created" and first[0]["who"] == "bootstrap-admin"
    assert first[0]["via"] == "POST /saveContact"
    # Which fields changed and the version made, never a value (any field may be personal).
    assert first[0]["fields"] == ["first_name", "phone1", "tier"] and first[0]["version"] == 1
    assert "gold" not in str(first) and "Ann" not in str(first) and "555" not in str(first)

    api.put(f"/contacts/{ann['id']}", {"tier": "silver", "last_name": "Lee", "version": 1})
    assert changes(ann["id"])[0]["fields"] == ["last_name", "tier"] and changes(ann["id"])[0]["version"] == 2
    assert changes(ann["id"])[0]["via"] == "PUT /contacts/{contact_id}"
    # Failed writes leave nothing.
    assert api.put(f"/contacts/{ann['id']}", {"tier": "x", "version": 1}).status_code == 412
    body(api.post("/saveContact", {"first_name": "Bo", "account": "AC-1"}))
    assert api.put(f"/contacts/{ann['id']}", {"account": "AC-1"}).status_code == 409
    assert api.put(f"/contacts/{ann['id']}", {"phone1": "call me"}).status_code == 400
    assert len(changes(ann["id"])) == 2

    api.put(f"/contacts/{ann['id']}/consents/marketing", {"granted": False, "address": EMAIL, "source": "web"})
    assert changes(ann["id"])[0]["fields"] == ["consents.marketing"]
    leg(api, "CALL-A")
    api.put("/interactions/CALL-A/contact", {"contact_id": ann["id"]})
    api.delete("/interactions/CALL-A/contact")
    assert [c["action"] for c in changes(ann["id"])[:2]] == ["unlinked", "linked"]
    assert changes(ann["id"])[0]["call_Id"] == "CALL-A" and changes(ann["id"])[0]["fields"] == []
    api.delete(f"/contacts/{ann['id']}/consents/marketing")
    api.delete(f"/contacts/{ann['id']}")
    actions = [c["action"] for c in changes(ann["id"])]
    assert actions == ["deleted", "consent", "unlinked", "linked", "consent", "updated", "created"]

    bulk = body(api.post("/contacts/bulk", {"contacts": [{"first_name": "B1"}, {"first_name": "B2"}]}))
    for result in bulk["results"]:
        assert [c["action"] for c in changes(result["id"])] == ["created"]

    today = datetime.now(UTC).date().isoformat()
    period = body(api.get(f"/audit?from={today}&to={today}&limit=100"))
    assert len(period["items"]) == 7 + 1 + 2 and period["cursor"] is None  # Ann's, Bo's, the bulk pair
    paged, cursor = [], None
    while True:
        page = body(api.get(f"/audit?from={today}&to={today}&limit=3" + (f"&cursor={cursor}" if cursor else "")))
        paged += page["items"]
        cursor = page["cursor"]
        if not cursor:
            break
    assert [e["id"] for e in paged] == [e["id"] for e in period["items"]]
    assert api.get("/audit?from=2026-12-01&to=2026-11-01").status_code == 400
    assert api.get("/audit?from=yesterday&to=today").status_code == 400


def test_consents_are_flat_values_in_the_lookup_answers(api):
    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": PHONE1}))
    assert api.put(f"/contacts/{ann['id']}/consents/recording", {"granted": True}).status_code == 200
    assert api.put(f"/contacts/{ann['id']}/consents/marketing", {"granted": False}).status_code == 200
    assert api.put(f"/contacts/{ann['id']}/consents/Bad Usage", {"granted": True}).status_code == 400
    assert api.put(f"/contacts/{ann['id']}/consents/recording", {"granted": "yes"}).status_code == 400
    found = body(api.post("/contacts/lookup", {"ani": PHONE1}))
    assert found["contacts"][0]["consents"]["recording"]["granted"] is True
    flat = api.post("/contacts/lookup?format=ivr", {"ani": PHONE1}).body.decode()
    assert "consent_recording=yes\n" in flat and "consent_marketing=no\n" in flat
    listed = body(api.get(f"/contacts/{ann['id']}/consents"))
    assert {c["usage"]: c["granted"] for c in listed} == {"recording": True, "marketing": False}
    # Consents are the server's: a contact body cannot set them.
    api.put(f"/contacts/{ann['id']}", {"consents": {}})
    assert len(body(api.get(f"/contacts/{ann['id']}/consents"))) == 2


def test_personal_fields_are_listed_for_the_data_protection_officer(api):
    add_attributes(api, account={"type": "text", "pii": True}, tier="text")
    fields = body(api.get("/privacy/fields"))
    assert [f["key"] for f in fields] == ["first_name", "last_name", "phone1", "phone2", "email", "account"]
    assert fields[-1]["why"] == "flagged pii in the schema"


def test_items_carry_their_retention(api, table_items, monkeypatch):
    monkeypatch.setenv("CIM_INTERACTION_DAYS", "10")
    monkeypatch.setenv("CIM_AUDIT_DAYS", "20")
    monkeypatch.setenv("CIM_ERASURE_RECEIPT_DAYS", "30")
    get_settings.cache_clear()
    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": PHONE1}))
    leg(api, "KEPT-1", ani=PHONE1)
    api.post("/privacy/erasures", {"email": "someone@example.com"})
    now = time.time()
    by_pk = {}
    for item in table_items():
        by_pk.setdefault(item["PK"]["S"].split("#")[0], []).append(item)

    def days_left(item):
        return (int(item["ttl"]["N"]) - now) / 86400

    assert all(9.9 < days_left(i) <= 10 for k in ("CALL", "HIST", "CALLS") for i in by_pk[k])
    assert all(19.9 < days_left(i) <= 20 for i in by_pk["AUDIT"])
    assert all(29.9 < days_left(i) <= 30 for i in by_pk["PRIVACY"])
    assert "ttl" not in next(i for i in by_pk["CONTACT"] if i["PK"]["S"] == f"CONTACT#{ann['id']}")


@pytest.mark.parametrize("days", ["0"])
def test_zero_days_keeps_items(api, table_items, monkeypatch, days):
    monkeypatch.setenv("CIM_INTERACTION_DAYS", days)
    get_settings.cache_clear()
    leg(api, "FOREVER-1", ani=PHONE1)
    assert all("ttl" not in i for i in table_items() if i["PK"]["S"].startswith(("CALL#", "CALLS#")))


def test_a_changed_retention_reaches_the_items_already_stored(api, table_items, monkeypatch):
    leg(api, "OLD-1", ani=PHONE1)
    leg(api, "OLD-2", ani=PHONE2)
    api.post("/saveContact", {"first_name": "Ann"})
    monkeypatch.setenv("CIM_INTERACTION_DAYS", "7")
    monkeypatch.setenv("CIM_JOB_SECONDS", "0")  # one page a pass: the job must resume
    get_settings.cache_clear()
    started = api.post("/privacy/retention/jobs", {"kind": "interactions"})
    assert started.status_code == 202, started.body
    job = body(started)
    assert job["state"] == "running" and job["days"] == 7
    monkeypatch.setenv("CIM_JOB_SECONDS", "30")
    get_settings.cache_clear()
    done = body(api.post(f"/privacy/retention/jobs/{job['id']}/run"))
    for _ in range(10):  # a day with calls is 64 shards: a request reads as far as its call cap
        if done["state"] == "done":
            break
        assert len(api.calls) <= MAX_CALLS_PER_REQUEST, api.calls
        done = body(api.post(f"/privacy/retention/jobs/{job['id']}/run"))
    assert done["state"] == "done" and done["updated"] == 2
    now = time.time()
    calls = [i for i in table_items() if i["PK"]["S"].startswith(("CALL#", "CALLS#"))]
    assert len(calls) == 4 and all(6.9 < (int(i["ttl"]["N"]) - now) / 86400 <= 7 for i in calls)
    # 0 days: kept for good, so the expiry goes.
    monkeypatch.setenv("CIM_INTERACTION_DAYS", "0")
    get_settings.cache_clear()
    kept = body(api.post("/privacy/retention/jobs", {"kind": "interactions", "since": "2026-01-01"}))
    # Almost a year of days: a request goes as far as its DynamoDB call cap, then answers 202.
    assert len(api.calls) <= MAX_CALLS_PER_REQUEST
    second = api.post("/privacy/retention/jobs", {"kind": "interactions"})  # one at a time, and how to stop it
    assert second.status_code == 409 and f"POST /privacy/retention/jobs/{kept['id']}/cancel" in body(second)["Message"]
    while kept["state"] == "running":
        kept = body(api.post(f"/privacy/retention/jobs/{kept['id']}/run"))
        assert len(api.calls) <= MAX_CALLS_PER_REQUEST, api.calls
    assert kept["state"] == "done" and kept["updated"] == 2
    assert all("ttl" not in i for i in table_items() if i["PK"]["S"].startswith(("CALL#", "CALLS#")))
    assert body(api.get(f"/privacy/retention/jobs/{kept['id']}")) == kept
    for kind in ("audit", "erasure_receipts", "sync_runs"):
        assert body(api.post("/privacy/retention/jobs", {"kind": kind}))["state"] in ("done", "running")
    assert api.post("/privacy/retention/jobs", {"kind": "contacts"}).status_code == 400
    assert api.post("/privacy/retention/jobs", {"kind": "audit", "since": "soon"}).status_code == 400
    for far in ("0001-01-01", "1900-01-01", "9999-12-31"):  # at most ten years back, never ahead
        refused = api.post("/privacy/retention/jobs", {"kind": "sync_runs", "since": far})
        assert refused.status_code == 400 and "since" in body(refused)["Message"]


def test_a_retention_job_can_be_cancelled(api, monkeypatch):
    monkeypatch.setenv("CIM_INTERACTION_DAYS", "30")
    get_settings.cache_clear()
    job = body(api.post("/privacy/retention/jobs", {"kind": "interactions", "since": "2025-06-01"}))
    assert job["state"] == "running"
    cancelled = api.post(f"/privacy/retention/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200 and body(cancelled)["state"] == "cancelled"
    assert body(api.post(f"/privacy/retention/jobs/{job['id']}/run"))["state"] == "cancelled"
    assert api.post("/privacy/retention/jobs", {"kind": "interactions"}).status_code in (200, 202)


def test_an_audit_period_is_read_within_the_call_cap_a_page_at_a_time(api):
    made = body(api.post("/saveContact", {"first_name": "Ann", "phone1": PHONE1}))
    today = datetime.now(UTC).date()
    start = (today - timedelta(days=360)).isoformat()
    page = body(api.get(f"/audit?from={start}&to={today.isoformat()}&limit=100"))
    assert len(api.calls) <= MAX_CALLS_PER_REQUEST
    found, pages = list(page["items"]), 1
    while page["cursor"]:
        page = body(api.get(f"/audit?from={start}&to={today.isoformat()}&limit=100&cursor={page['cursor']}"))
        assert len(api.calls) <= MAX_CALLS_PER_REQUEST, api.calls
        found += page["items"]
        pages += 1
    assert [e["contact_id"] for e in found] == [made["id"]] and pages > 1
    # Days older than the trail's retention hold nothing: they are not read at all.
    ancient = api.get("/audit?from=0001-01-01&to=0002-01-01")
    assert body(ancient) == {"items": [], "cursor": None} and api.calls == []
