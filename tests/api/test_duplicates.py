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


def test_a_contacts_duplicates_are_listed_most_likely_first_and_never_itself(api):
    first = body(api.post("/saveContact", ANN))
    twin = body(api.post("/saveContact", ANN | {"phone1": "+1 415 555 0101"}))  # same address and name
    line = body(api.post("/saveContact", {"first_name": "Eero", "phone1": "+1 415 555 0100"}))
    listed = body(api.get(f"/contacts/{first['id']}/duplicates"))["items"]
    assert [(d["id"], d["reasons"]) for d in listed] == [(twin["id"], ["email", "name"]), (line["id"], ["phone"])]
    assert listed[0]["score"] > listed[1]["score"]
    assert api.calls.count("Query") == 2 and api.calls.count("BatchGetItem") == 1  # one Query an identifier
    assert api.get("/contacts/" + "F" * 32 + "/duplicates").status_code == 404


def test_warning_at_creation_costs_one_query_an_identifier_and_one_batch_read_when_any_is_shared(api):
    api.get("/getSchema")  # the schema cached, as in steady state
    api.post("/saveContact", {"first_name": "Solo", "phone1": "+1 415 555 0150", "email": "solo@example.com"})
    alone = list(api.calls)
    api.post("/saveContact", {"first_name": "Solo", "phone1": "+1 415 555 0150", "email": "solo2@example.com"})
    shared = list(api.calls)
    assert alone.count("Query") == 2 and "BatchGetItem" in alone  # the screen's BatchGetItem, as before
    assert shared.count("BatchGetItem") == alone.count("BatchGetItem") + 1
