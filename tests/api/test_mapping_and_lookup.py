"""Mapping rules and the IVR lookup, as an administrator sets them up and an
IVR asks."""
from __future__ import annotations

import pytest

from tests.api.conftest import add_attributes, body


def save(api, fields):
    reply = api.post("/saveContact", fields)
    assert reply.status_code == 200, reply.body
    return body(reply)


@pytest.fixture
def account_rule(api):
    add_attributes(api, account_no={"type": "text", "searchable": True})
    reply = api.post("/mapping", {"callVar": "Account", "callVariable": "callVariable3",
                                  "key": "account_no", "varNumber": "3"})
    assert reply.status_code == 200, reply.body
    return body(reply)


# --- mapping CRUD ----------------------------------------------------------------

def test_mapping_crud_as_documented(api, account_rule):
    assert account_rule["varNumber"] == 3 and len(account_rule["id"]) == 32
    email_rule = body(api.post("/mapping", {"callVar": "Mail", "key": "email", "varNumber": 1}))
    assert email_rule["callVariable"] == "callVariable1"
    listed = body(api.get("/mapping"))
    assert [r["id"] for r in listed] == [email_rule["id"], account_rule["id"]]  # by varNumber
    moved = api.put(f"/mapping/{email_rule['id']}", {"varNumber": "7"})
    assert moved.status_code == 200 and body(moved)["varNumber"] == 7
    assert [r["id"] for r in body(api.get("/mapping"))] == [account_rule["id"], email_rule["id"]]
    gone = api.delete(f"/mapping/{email_rule['id']}")
    assert gone.status_code == 200 and body(gone)["id"] == email_rule["id"]
    assert [r["id"] for r in body(api.get("/mapping"))] == [account_rule["id"]]
    assert api.delete(f"/mapping/{email_rule['id']}").status_code == 404


@pytest.mark.parametrize("bad, status, words", [
    ({"key": "email", "varNumber": 0}, 400, "varNumber"),
    ({"key": "email", "varNumber": "three"}, 400, "varNumber"),
    ({"key": "email", "varNumber": -2}, 400, "varNumber"),
    ({"key": "email"}, 400, "varNumber"),
    ({"varNumber": 1}, 400, "key"),
    ({"key": "nothing", "varNumber": 1}, 422, "nothing"),
    ({"key": "note", "varNumber": 1}, 422, "searchable"),
    ({"key": "email", "varNumber": 1, "extra": 1}, 400, "extra"),
])
def test_bad_rules_are_refused(api, bad, status, words):
    add_attributes(api, note="text")
    reply = api.post("/mapping", bad)
    assert reply.status_code == status and words in body(reply)["Message"], reply.body


def test_mapping_ids(api):
    assert api.put("/mapping/nope", {"varNumber": 1}).status_code == 400
    assert api.put("/mapping/" + "E" * 32, {"varNumber": 1}).status_code == 404


def test_an_attribute_used_by_a_rule_cannot_be_deleted(api, account_rule):
    attribute = next(a for a in body(api.get("/getSchema")) if a["key"] == "account_no")
    reply = api.delete(f"/schema/{attribute['id']}?force=true")
    assert reply.status_code == 409 and account_rule["id"] in body(reply)["Message"]


# --- the lookup ---------------------------------------------------------------------

@pytest.mark.parametrize("ani", ["+1 (415) 555-0100", "415-555-0100", "0014155550100", "+14155550100"])
def test_lookup_by_ani_in_any_format(api, ani):
    ann = save(api, {"first_name": "Ann", "phone1": "415 555 0100"})
    api.get("/getSchema"), api.get("/mapping")  # warm the per-container cache
    reply = api.post("/contacts/lookup", {"ani": ani})
    answer = body(reply)
    assert answer["match"] == "unique" and [c["id"] for c in answer["contacts"]] == [ann["id"]]
    assert answer["matchedBy"] == {"ani": "+14155550100"}
    assert api.calls == ["Query", "BatchGetItem"]


@pytest.mark.parametrize("region, stored, ani", [
    ("FI", "040 123 4567", "+358401234567"),
    ("FI", "+358 40 123 4567", "0401234567"),
    ("GB", "020 7946 0018", "00442079460018"),
])
def test_lookup_in_other_countries(api, monkeypatch, region, stored, ani):
    monkeypatch.setenv("CIM_DEFAULT_REGION", region)
    from chalicelib.core.settings import get_settings
    get_settings.cache_clear()
    made = save(api, {"first_name": "Local", "phone2": stored})
    answer = body(api.get(f"/contacts/lookup?ani={ani.replace('+', '%2B')}"))
    assert answer["match"] == "unique" and answer["contacts"][0]["id"] == made["id"]


def test_none_unique_and_multiple(api):
    save(api, {"first_name": "Parent", "phone1": "415-555-0177"})
    save(api, {"first_name": "Child", "phone2": "+14155550177"})
    shared = body(api.post("/contacts/lookup", {"ani": "4155550177"}))
    assert shared["match"] == "multiple" and {c["first_name"] for c in shared["contacts"]} == {"Parent", "Child"}
    nobody = body(api.post("/contacts/lookup", {"ani": "4155550999"}))
    assert nobody == {"match": "none", "contacts": [], "matchedBy": None, "more": False}
    withheld = body(api.post("/contacts/lookup", {"ani": "anonymous"}))
    assert withheld["match"] == "none"


def test_at_most_25_candidates(api):
    for i in range(27):
        save(api, {"first_name": f"Desk{i}", "phone1": "+1 415 555 0111"})
    answer = body(api.post("/contacts/lookup", {"ani": "4155550111"}))
    assert answer["match"] == "multiple" and len(answer["contacts"]) == 25 and answer["more"] is True


def test_a_mapped_call_variable_decides_before_the_ani(api, account_rule):
    holder = save(api, {"first_name": "Holder", "account_no": "AC-77"})
    caller = save(api, {"first_name": "Caller", "phone1": "415-555-0123"})
    api.get("/getSchema"), api.get("/mapping")
    answer = body(api.post("/contacts/lookup", {"ani": "4155550123",
                                                "callVariables": {"callVariable3": "ac-77"}}))
    assert answer["match"] == "unique" and answer["contacts"][0]["id"] == holder["id"]
    assert answer["matchedBy"]["rule"]["id"] == account_rule["id"] and answer["matchedBy"]["value"] == "ac-77"
    assert api.calls == ["Query", "BatchGetItem"]
    # An unknown account falls through to the ANI: one Query per rule tried.
    fallback = body(api.post("/contacts/lookup", {"ani": "4155550123",
                                                  "callVariables": {"callVariable3": "AC-00"}}))
    assert fallback["contacts"][0]["id"] == caller["id"] and fallback["matchedBy"] == {"ani": "+14155550123"}
    assert api.calls == ["Query", "Query", "BatchGetItem"]
    by_get = body(api.get("/contacts/lookup?callVariable3=AC-77"))
    assert by_get["contacts"][0]["id"] == holder["id"]


def test_rules_apply_in_order_and_the_first_with_matches_decides(api):
    add_attributes(api, account_no={"type": "text", "searchable": True})
    save(api, {"first_name": "ByMail", "email": "who@example.com"})
    by_account = save(api, {"first_name": "ByAccount", "account_no": "A1"})
    api.post("/mapping", {"key": "email", "varNumber": 2})
    api.post("/mapping", {"key": "account_no", "varNumber": 1})
    answer = body(api.post("/contacts/lookup", {"callVariables": {"callVariable1": "A1",
                                                                  "callVariable2": "who@example.com"}}))
    assert answer["contacts"][0]["id"] == by_account["id"]


def test_name_rules_and_malformed_variables(api):
    api.post("/mapping", {"key": "last_name", "varNumber": 4})
    api.post("/mapping", {"key": "phone2", "varNumber": 5})
    made = save(api, {"first_name": "Anneli", "last_name": "Söderberg"})
    answer = body(api.get("/contacts/lookup?callVariable4=soderberg&callVariable5=not-a-phone"))
    assert answer["match"] == "unique" and answer["contacts"][0]["id"] == made["id"]


def test_flat_ivr_format(api, account_rule):
    # A name is one line: a line break or a NUL in it never reaches the IVR's text answer.
    for broken in ("Ann\nLee", "Ann\x00Lee"):
        refused = api.post("/saveContact", {"first_name": broken, "phone1": "415 555 0100"})
        assert refused.status_code == 400 and "first_name" in body(refused)["Message"]
    made = save(api, {"first_name": "Ann Lee", "last_name": "x" * 100, "account_no": "AC-5",
                      "phone1": "415 555 0100"})
    reply = api.get("/contacts/lookup?ani=4155550100&format=ivr")
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/plain")
    lines = dict(line.split("=", 1) for line in reply.body.decode().splitlines())
    assert lines["match"] == "unique" and lines["contact_id"] == made["id"]
    assert lines["first_name"] == "Ann Lee" and lines["account_no"] == "AC-5"
    # Too long for an IVR line: left empty whole (never cut) and named.
    assert lines["last_name"] == "" and lines["dropped"] == "last_name" and lines["matched_by"] == "ani"
    by_accept = api.post("/contacts/lookup", {"ani": "4155550100"}, headers={"Accept": "text/plain"})
    assert by_accept.body.decode().startswith("match=unique\n")
    none = dict(l.split("=", 1) for l in api.get("/contacts/lookup?ani=1&format=ivr").body.decode().splitlines())
    assert none["match"] == "none" and none["contact_id"] == ""


@pytest.mark.parametrize("payload, words", [
    ({"ani": 4155550100}, "ani"),
    ({"callVariables": ["a"]}, "callVariables"),
    ({"callVariables": {"v": {"x": 1}}}, "callVariables"),
    ({"callVariables": {f"v{i}": "x" for i in range(60)}}, "50"),
    ({"anni": "1"}, "anni"),
])
def test_bad_lookups(api, payload, words):
    reply = api.post("/contacts/lookup", payload)
    assert reply.status_code == 400 and words in body(reply)["Message"], reply.body
    assert api.get("/contacts/lookup?ani=1&format=xml").status_code == 400


def test_the_ivr_format_never_cuts_an_id(api):
    made = [body(api.post("/saveContact", {"first_name": f"Twin{i}", "phone1": "415-555-0166"}))["id"]
            for i in range(3)]
    reply = api.get("/contacts/lookup?ani=4155550166&format=ivr")
    lines = dict(line.split("=", 1) for line in reply.body.decode().splitlines())
    assert lines["match"] == "multiple" and sorted(lines["contact_ids"].split(",")) == sorted(made)
    assert len(lines["contact_ids"]) > 64 and lines["more"] == "false" and lines["dropped"] == ""


# --- the IVR's answer in one read ----------------------------------------------------

def _lines(reply) -> dict[str, str]:
    assert reply.status_code == 200, reply.body
    return dict(line.split("=", 1) for line in reply.body.decode().splitlines())


def _whole_contact_lines(ani: str | None, variables: dict[str, str]) -> dict[str, str]:
    """The flat answer made from the whole contact (what the lines were before cards)."""
    from chalicelib.services.contacts import lookup

    whole = lookup.lookup(ani, variables)
    return dict(line.split("=", 1) for line in lookup.flat(lookup.Brief.of(whole)).splitlines())


def test_the_flat_answer_is_one_query_of_one_read_unit_and_says_what_the_whole_contact_says(api, account_rule):
    add_attributes(api, mobile="phone", tier={"type": "text", "searchable": True}, note="text")
    api.post("/mapping", {"key": "mobile", "varNumber": 5})
    api.post("/mapping", {"key": "tier", "varNumber": 6})
    made = save(api, {"first_name": "Ann", "last_name": "Lee", "phone1": "415 555 0100", "email": "ann@example.com",
                      "account_no": "AC-5", "mobile": "+44 20 7946 0018", "tier": "gold", "note": "not mapped"})
    api.put(f"/contacts/{made['id']}/consents/recording", {"granted": True})
    api.put(f"/contacts/{made['id']}/consents/marketing", {"granted": False})
    api.get("/getSchema"), api.get("/mapping")
    for asked in ("ani=4155550100", "callVariable3=ac-5", "callVariable5=%2B442079460018"):
        lines = _lines(api.get(f"/contacts/lookup?{asked}&format=ivr"))
        assert api.calls == ["Query"] and api.read_units <= 1.0, (asked, api.calls, api.read_units)
        assert lines == _whole_contact_lines("4155550100" if asked.startswith("ani") else None,
                                             {"callVariable3": "ac-5"} if "3=" in asked else
                                             {"callVariable5": "+442079460018"} if "5=" in asked else {})
        assert lines["contact_id"] == made["id"] and lines["last_name"] == "Lee" and lines["tier"] == "gold"
        assert lines["mobile"] == "+44 20 7946 0018" and lines["account_no"] == "AC-5"
        assert lines["consent_recording"] == "yes" and lines["consent_marketing"] == "no"
        assert "note" not in lines  # only what the IVR may branch on


def test_an_edit_is_in_the_next_flat_answer_and_an_old_entry_without_a_card_still_answers(api, account_rule):
    made = save(api, {"first_name": "Ann", "last_name": "Lee", "phone1": "415 555 0100"})
    assert api.put(f"/contacts/{made['id']}", {"last_name": "Lee-Park", "email": "ann@example.com"}).status_code == 200
    api.get("/mapping")  # the rules cached, as in a warm container
    lines = _lines(api.get("/contacts/lookup?ani=4155550100&format=ivr"))
    assert lines["last_name"] == "Lee-Park" and lines["email"] == "ann@example.com" and api.calls == ["Query"]
    # An entry written before cards (index format 2) answers by reading the contact ...
    from chalicelib.core.settings import get_settings
    from chalicelib.store import aws as store_aws

    store_aws.dynamodb().update_item(TableName=get_settings().table_name, UpdateExpression="REMOVE card",
                                     Key={"PK": {"S": "IDX#phone#+14155550100"}, "SK": {"S": f"CONTACT#{made['id']}"}})
    store_aws.dynamodb().update_item(TableName=get_settings().table_name, UpdateExpression="REMOVE index_format",
                                     Key={"PK": {"S": f"CONTACT#{made['id']}"}, "SK": {"S": "CONTACT"}})
    old = _lines(api.get("/contacts/lookup?ani=4155550100&format=ivr"))
    assert old == lines and api.calls == ["Query", "BatchGetItem"]
    # ... until the index format upgrade rewrites it with its card.
    from chalicelib.services.schema import schema
    from chalicelib.store import schema as schema_store

    schema_store.set_index_format(2)
    job = schema.reindex_for_the_index_format()
    assert job is not None
    current = save(api, {"first_name": "Written", "last_name": "Since", "phone1": "415 555 0177"})
    done = schema.run_job(job.id)
    assert job is not None and done.state == "done" and done.changed == 1  # the old one only
    assert body(api.get(f"/contacts/{current['id']}"))["version"] == 1  # one written since is left alone
    assert body(api.get(f"/contacts/{made['id']}"))["version"] == 2  # entries rewritten: no edit, no new version
    api.get("/getSchema")  # the job read the schema afresh; cached again
    assert _lines(api.get("/contacts/lookup?ani=4155550100&format=ivr")) == lines and api.calls == ["Query"]


def test_a_merge_and_its_undo_keep_every_card_true(api):
    ann = save(api, {"first_name": "Ann", "last_name": "Lee", "phone1": "415 555 0100"})
    anne = save(api, {"first_name": "Anne", "last_name": "Lee", "email": "anne@example.com", "phone2": "415 555 0101"})
    merged = api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]],
                                          "fields": {"email": anne["id"]}})
    assert merged.status_code == 201, merged.body
    for ani in ("4155550100", "4155550101"):  # her own number, and the one the merge brought
        lines = _lines(api.get(f"/contacts/lookup?ani={ani}&format=ivr"))
        assert lines["contact_id"] == ann["id"] and lines["email"] == "anne@example.com", (ani, lines)
    assert api.post(f"/merges/{body(merged)['merge_id']}/undo").status_code == 200
    back = _lines(api.get("/contacts/lookup?ani=4155550101&format=ivr"))
    assert back["contact_id"] == anne["id"] and back["first_name"] == "Anne" and api.calls == ["Query"]
    own = _lines(api.get("/contacts/lookup?ani=4155550100&format=ivr"))
    assert own["contact_id"] == ann["id"] and own["email"] == "" and api.calls == ["Query"]
