"""Possible duplicates: flagged at creation (or refused with ?if_duplicate=refuse),
listed for a contact, scored by what they share; bounded reads."""
from __future__ import annotations

from tests.api.conftest import body

ANN = {"first_name": "Anneli", "last_name": "Söderberg", "phone1": "+1 415 555 0100", "email": "anneli@example.com"}


def test_a_second_anneli_is_flagged_with_why_and_how_likely(api):
    first = body(api.post("/saveContact", ANN))
    assert first["possible_duplicates"] == []
    second = body(api.post("/saveContact", {"first_name": "Anneli", "last_name": "Soderberg",
                                            "phone1": "(415) 555-0100"}))
    assert second["possible_duplicates"] == [{"id": first["id"], "reasons": ["phone", "name"], "score": 0.9,
                                              "first_name": "Anneli", "last_name": "Söderberg"}]
    family = body(api.post("/contacts", {"first_name": "Bo", "last_name": "Söderberg", "phone1": "+14155550100"}))
    found = {d["id"]: (d["reasons"], d["score"]) for d in family["possible_duplicates"]}
    assert found == {first["id"]: (["phone"], 0.5), second["id"]: (["phone"], 0.5)}  # a family line: a weak hint
    by_mail = body(api.post("/saveContact", {"first_name": "A.", "email": "ANNELI@example.com"}))
    assert [(d["id"], d["reasons"], d["score"]) for d in by_mail["possible_duplicates"]] == [
        (first["id"], ["email"], 0.7)]


def test_refuse_writes_nothing_and_names_the_candidates(api):
    first = body(api.post("/saveContact", ANN))
    before = body(api.get("/contacts?phone=4155550100"))
    reply = api.post("/saveContact?if_duplicate=refuse", {"first_name": "Anneli", "phone1": "+1 415 555 0100"})
    assert reply.status_code == 409
    refused = body(reply)
    assert refused["Code"] == "PossibleDuplicate" and "open one" in refused["Message"]
    assert [d["id"] for d in refused["PossibleDuplicates"]] == [first["id"]]
    assert body(api.get("/contacts?phone=4155550100")) == before
    assert api.post("/contacts?if_duplicate=refuse", {"first_name": "New", "phone1": "+1 415 555 0109"}
                    ).status_code == 201
    wrong = api.post("/saveContact?if_duplicate=maybe", ANN)
    assert wrong.status_code == 400 and "if_duplicate" in body(wrong)["Message"]


def test_bulk_rows_are_flagged_against_stored_contacts_and_earlier_rows_in_few_reads(api, table_items):
    """A hundred rows sent again: every one names the contact it may be, in a
    fixed handful of reads whatever the rows share (not a Query a number)."""
    api.get("/getSchema")
    rows = [{"first_name": f"Bulk{i}", "last_name": "Person", "phone1": f"+1 415 555 {2000 + i}",
             "email": f"bulk{i}@example.com"} for i in range(100)]
    first = body(api.post("/contacts/bulk", {"contacts": rows}))
    assert first["created"] == 100 and not any(r.get("possible_duplicates") for r in first["results"])
    stored = {r["contact"]["first_name"]: r["id"] for r in first["results"]}

    again = body(api.post("/contacts/bulk", {"contacts": rows}))
    # The screen (200 numbers and addresses: whether suppressed, have called, who holds them; 100 keys a
    # BatchGetItem) and the hundred stored contacts named (one BatchGetItem), then the writes, then the
    # look for a suppression landed meanwhile (two): a Query a number would have been 200 calls. The
    # writes are the hundred contacts' items, 25 a BatchWriteItem (a contact of two name words and a
    # number and an address: 16 items; a Query a number would still have been 200 calls).
    assert api.calls[:7] == ["BatchGetItem"] * 7 and api.calls[-2:] == ["BatchGetItem"] * 2, api.calls
    assert set(api.calls[7:-2]) == {"BatchWriteItem"} and len(api.calls) <= 7 + 2 + 100 * 16 // 25 + 2
    for row, result in zip(rows, again["results"]):
        assert result["outcome"] == "created"
        assert result["possible_duplicates"] == [{"id": stored[row["first_name"]], "reasons": ["email", "phone", "name"],
                                                  "score": 0.97, "first_name": row["first_name"],
                                                  "last_name": "Person"}]

    before = table_items()
    refused = body(api.post("/contacts/bulk?if_duplicate=refuse", {"contacts": rows[:3] + [
        {"first_name": "New", "phone1": "+1 415 555 2999"},
        {"first_name": "New", "last_name": "Twin", "phone1": "+1 415 555 2999"}]}))  # the row before it
    assert [r["outcome"] for r in refused["results"]] == ["rejected"] * 3 + ["created", "rejected"]
    assert {r.get("Code") for r in refused["results"]} == {"PossibleDuplicate", None}
    new_id = refused["results"][3]["id"]
    assert [d["id"] for d in refused["results"][4]["possible_duplicates"]] == [new_id]
    assert len(table_items()) > len(before)  # only the one new contact was written
    assert [c["id"] for c in body(api.get("/contacts?phone=%2B14155552999"))["items"]] == [new_id]
    wrong = api.post("/contacts/bulk?if_duplicate=skip", {"contacts": rows[:1]})
    assert wrong.status_code == 400 and "if_duplicate" in body(wrong)["Message"]


def test_a_bulk_row_finds_a_survivor_by_a_merged_number_and_nobody_by_a_deleted_ones(api, table_items):
    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "+1 415 555 0100"}))
    anne = body(api.post("/saveContact", {"first_name": "Anne", "phone1": "+1 415 555 0101"}))
    gone = body(api.post("/saveContact", {"first_name": "Gone", "phone1": "+1 415 555 0102",
                                          "email": "gone@example.com"}))
    assert api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]]}).status_code == 201
    assert api.delete(f"/contacts/{gone['id']}").status_code == 200
    rows = [{"first_name": "Anne", "phone1": "4155550101"}, {"first_name": "Gone", "phone1": "4155550102"}]
    results = body(api.post("/contacts/bulk", {"contacts": rows}))["results"]
    assert [d["id"] for d in results[0]["possible_duplicates"]] == [ann["id"]]  # the merged number is hers now
    assert results[1].get("possible_duplicates") is None
    # A deleted contact leaves not even the hash of its numbers: its markers went with it.
    from chalicelib.store.secrets import identifier_digest
    held = {i["PK"]["S"] for i in table_items() if i["PK"]["S"].startswith("HELD#")}
    assert "HELD#" + identifier_digest("email", "gone@example.com") not in held


def test_a_contacts_duplicates_are_listed_most_likely_first_and_never_itself(api):
    first = body(api.post("/saveContact", ANN))
    twin = body(api.post("/saveContact", ANN | {"phone1": "+1 415 555 0101"}))  # same address and name
    line = body(api.post("/saveContact", {"first_name": "Eero", "phone1": "+1 415 555 0100"}))
    listed = body(api.get(f"/contacts/{first['id']}/duplicates"))["items"]
    assert [(d["id"], d["reasons"]) for d in listed] == [(twin["id"], ["email", "name"]), (line["id"], ["phone"])]
    assert listed[0]["score"] > listed[1]["score"]
    # The contact, its identifiers' holders (one read however many it has), the candidates and dismissals.
    assert api.calls == ["GetItem", "BatchGetItem", "BatchGetItem"]
    assert api.get("/contacts/" + "F" * 32 + "/duplicates").status_code == 404


def test_warning_at_creation_costs_nothing_more_and_one_batch_read_when_any_is_shared(api):
    api.get("/getSchema")  # the schema cached, as in steady state
    api.post("/saveContact", {"first_name": "Solo", "phone1": "+1 415 555 0150", "email": "solo@example.com"})
    alone = list(api.calls)
    api.post("/saveContact", {"first_name": "Solo", "phone1": "+1 415 555 0150", "email": "solo2@example.com"})
    shared = list(api.calls)
    # Who holds its numbers and addresses is read in the screen's BatchGetItem (suppressions, callers).
    assert alone == ["BatchGetItem", "TransactWriteItems"]
    assert shared == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"]  # then the one holder, to name it


def _people(api):
    """Three records of Anneli (number, address, name alike), one of Bo sharing her switchboard, one alone."""
    made = [body(api.post("/saveContact", fields)) for fields in (
        ANN,
        {"first_name": "Anneli", "last_name": "Soderberg", "phone1": "+1 415 555 0100"},
        {"first_name": "A.", "last_name": "Söderberg", "email": "ANNELI@example.com"},
        {"first_name": "Bo", "last_name": "Ek", "phone1": "+1 415 555 0100"},
        {"first_name": "Cy", "last_name": "Alone", "phone1": "+1 415 555 0177"})]
    return made


def test_a_scan_finds_every_pair_once_most_likely_first_and_a_dismissal_keeps_it_away(api, monkeypatch):
    from chalicelib.core.metering import MAX_CALLS_PER_REQUEST
    from chalicelib.services.contacts import duplicate_scans

    ann, anneli, a_dot, bo, cy = _people(api)
    monkeypatch.setattr(duplicate_scans, "PAGE", 2)  # a request goes a step at a time; the scan resumes
    monkeypatch.setattr(duplicate_scans, "CALLS_A_STEP", MAX_CALLS_PER_REQUEST - 5)
    started = api.post("/duplicates/scans")
    scan = body(started)
    assert started.status_code in (201, 202) and started.headers["Location"].endswith(f"/duplicates/scans/{scan['id']}")
    assert len(api.calls) <= MAX_CALLS_PER_REQUEST
    progress = [scan["processed"]]
    while scan["state"] == "running":
        assert api.post(f"/duplicates/scans/{scan['id']}/run").status_code in (200, 202)
        assert len(api.calls) <= MAX_CALLS_PER_REQUEST
        scan = body(api.get(f"/duplicates/scans/{scan['id']}"))
        progress.append(scan["processed"])
    assert progress == [2, 4, 5] and scan["state"] == "done"

    listed = body(api.get("/duplicates?limit=50"))
    pairs = {tuple(sorted(p["ids"])): p for p in listed["items"]}
    expected = {tuple(sorted(x)) for x in ((ann["id"], anneli["id"]), (ann["id"], a_dot["id"]),
                                             (ann["id"], bo["id"]), (anneli["id"], bo["id"]))}
    assert set(pairs) == expected  # each pair once; Cy shares nothing
    assert [p["score"] for p in listed["items"]] == sorted((p["score"] for p in listed["items"]), reverse=True)
    assert pairs[tuple(sorted((ann["id"], anneli["id"])))]["reasons"] == ["phone", "name"]
    assert api.calls == ["Query", "BatchGetItem"]  # the page, then its contacts and dismissals together
    assert {c["first_name"] for p in listed["items"] for c in p["contacts"]} >= {"Anneli", "Bo"}

    dismissed = api.post("/duplicates/dismissals", {"ids": [bo["id"], ann["id"]]})
    assert dismissed.status_code == 201 and body(dismissed)["by"] == "bootstrap-admin"
    assert tuple(sorted((ann["id"], bo["id"]))) not in {tuple(sorted(p["ids"])) for p in
                                                       body(api.get("/duplicates?limit=50"))["items"]}
    assert bo["id"] not in [d["id"] for d in body(api.get(f"/contacts/{ann['id']}/duplicates"))["items"]]
    assert ann["id"] not in [d["id"] for d in body(api.get(f"/contacts/{bo['id']}/duplicates"))["items"]]
    again = body(api.post("/duplicates/scans"))  # a new scan does not bring the pair back
    while again["state"] == "running":
        again = body(api.post(f"/duplicates/scans/{again['id']}/run"))
    assert tuple(sorted((ann["id"], bo["id"]))) not in {tuple(sorted(p["ids"])) for p in
                                                       body(api.get("/duplicates?limit=50"))["items"]}

    merged = api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [a_dot["id"]]})
    assert merged.status_code == 201  # a pair that is one contact now is no longer listed
    assert all(a_dot["id"] not in p["ids"] for p in body(api.get("/duplicates?limit=50"))["items"])


def test_dismissals_and_scans_name_what_is_wrong(api):
    ann = body(api.post("/saveContact", ANN))
    for sent, field in (({"ids": [ann["id"]]}, "ids"), ({"ids": [ann["id"], ann["id"]]}, "ids"),
                        ({"ids": [ann["id"], "nope"]}, "ids"), ({"ids": [ann["id"], "A" * 32]}, "ids"),
                        ({"ids": [ann["id"], "B" * 32], "extra": 1}, "extra")):
        reply = api.post("/duplicates/dismissals", sent)
        assert reply.status_code in (400, 404) and field in body(reply)["Message"], (sent, reply.body)
    assert api.get("/duplicates/scans/" + "D" * 32).status_code == 404
    assert api.post("/duplicates/scans/nope/run").status_code == 400
    agent = api.as_key(None)
    assert agent.post("/duplicates/scans").status_code == 401


def test_the_maintenance_schedule_carries_a_scan_to_its_end(api, monkeypatch):
    from app import app
    from chalicelib.core.metering import MAX_CALLS_PER_REQUEST
    from chalicelib.services.contacts import duplicate_scans
    from devtools.triggers import run_schedules

    _people(api)
    monkeypatch.setattr(duplicate_scans, "PAGE", 1)
    monkeypatch.setattr(duplicate_scans, "CALLS_A_STEP", MAX_CALLS_PER_REQUEST - 5)
    scan = body(api.post("/duplicates/scans"))
    assert scan["state"] == "running" and scan["processed"] == 1
    run_schedules(app, ("resume-schema-jobs",))
    scan = body(api.get(f"/duplicates/scans/{scan['id']}"))
    assert scan["state"] == "done" and scan["processed"] == 5 and scan["found"] == 4


def test_contacts_stored_before_the_holder_markers_join_them_through_one_scan_the_schedule_starts(api):
    """An upgrade: contacts stored by a version without holder markers are
    not known as holders until the maintenance schedule's one scan has
    walked them; then a bulk row finds them, and the scan is not started again."""
    from app import app
    from chalicelib.core.settings import get_settings
    from chalicelib.store import aws
    from devtools.triggers import run_schedules

    ann, anneli, *_ = _people(api)
    table = get_settings().table_name
    markers = [i for i in aws.dynamodb().scan(TableName=table)["Items"] if i["PK"]["S"].startswith("HELD#")]
    for item in markers:  # as a table written before markers existed
        aws.dynamodb().delete_item(TableName=table, Key={"PK": item["PK"], "SK": item["SK"]})
    row = {"first_name": "Anneli", "last_name": "Söderberg", "phone1": "+1 415 555 0100"}
    assert body(api.post("/contacts/bulk?if_duplicate=refuse", {"contacts": [row]}))["results"][0]["outcome"] \
        == "created"  # not known yet: nothing marks them

    run_schedules(app, ("resume-schema-jobs",))
    scans = [s for s in aws.dynamodb().scan(TableName=table)["Items"] if s["SK"]["S"].startswith("DUPSCAN#")]
    assert len(scans) == 1 and scans[0]["state"]["S"] == "done"
    refused = body(api.post("/contacts/bulk?if_duplicate=refuse", {"contacts": [row]}))["results"][0]
    assert refused["outcome"] == "rejected" and {ann["id"], anneli["id"]} <= {
        d["id"] for d in refused["possible_duplicates"]}
    assert {ann["id"], anneli["id"]} <= {i for p in body(api.get("/duplicates?limit=50"))["items"] for i in p["ids"]}
    run_schedules(app, ("resume-schema-jobs",))  # marked once: no second scan
    assert len([s for s in aws.dynamodb().scan(TableName=table)["Items"] if s["SK"]["S"].startswith("DUPSCAN#")]) == 1
