"""The dynamic contact schema, as an administrator and an agent see it."""
from __future__ import annotations

import pytest

from tests.api.conftest import add_attributes, body

CORE = ["first_name", "last_name", "phone1", "phone2", "email"]


def save(api, fields):
    return api.post("/saveContact", fields)


def test_the_core_fields_are_there_from_the_start(api):
    reply = api.get("/getSchema")
    assert reply.status_code == 200
    attributes = body(reply)
    assert [a["key"] for a in attributes] == CORE
    assert all(a["core"] and len(a["id"]) == 32 for a in attributes)
    assert {a["key"]: a["type"] for a in attributes}["phone1"] == "phone"


def test_save_schema_as_documented_and_string_is_text(api):
    reply = api.post("/saveSchema", {"label": "Account number", "key": "account_no", "type": "string"})
    assert reply.status_code == 200
    made = body(reply)
    assert {k: made[k] for k in ("label", "key", "type")} == {
        "label": "Account number", "key": "account_no", "type": "text"}
    assert [a["key"] for a in body(api.get("/getSchema"))] == CORE + ["account_no"]
    again = api.post("/saveSchema", {"label": "Again", "key": "account_no", "type": "text"})
    assert again.status_code == 409 and "account_no" in body(again)["Message"]


@pytest.mark.parametrize("bad, words", [
    ({"label": "X", "key": "x"}, "type: required"),
    ({"label": "X", "key": "x", "type": "colour"}, "type"),
    ({"label": "X", "key": "1x", "type": "text"}, "key"),
    ({"label": "X", "key": "x", "type": "text", "color": "red"}, "color"),
    ({"label": "X", "key": "x", "type": "list", "unique": True}, "unique"),
    ({"label": "X", "key": "x", "type": "number", "options": ["a"]}, "options"),
    ({"label": "X", "key": "x", "type": "number", "default": "lots"}, "x"),
    ({"label": "X", "key": "x", "type": "text", "max_length": 0}, "max_length"),
])
def test_bad_attributes_are_refused(api, bad, words):
    reply = api.post("/saveSchema", bad)
    assert reply.status_code == 400 and words in body(reply)["Message"], reply.body


# Each type, one valid value (and how it is stored) and invalid ones.
TYPES = [
    ("text", "hello", "hello", [5, ["a"]]),
    ("number", 42.5, 42.5, ["many", True]),
    ("number", "17", 17, ["1,5"]),
    ("boolean", True, True, ["maybe", 1]),
    ("boolean", "false", False, ["yes"]),
    ("date", "2026-11-22", "2026-11-22", ["22.11.2026", "2026-13-01"]),
    ("datetime", "2026-11-22T12:00:00+02:00", "2026-11-22T10:00:00.000Z", ["yesterday", "2026-11-22T25:00"]),
    ("email", "A@Example.com", "A@Example.com", ["nope", "a@b"]),
    ("phone", "+44 20 7946 0018", "+44 20 7946 0018", ["call me", 442079460018]),
    ("url", "https://example.com/x", "https://example.com/x", ["ftp://x.y", "example.com"]),
    ("list", ["a", "b"], ["a", "b"], ["a", [1, 2]]),
]


@pytest.mark.parametrize("type_, good, stored, bads", TYPES)
def test_each_type_accepts_its_values_and_refuses_others(api, type_, good, stored, bads):
    add_attributes(api, field=type_)
    reply = save(api, {"first_name": "T", "field": good})
    assert reply.status_code == 200, reply.body
    assert body(reply)["field"] == stored
    for bad in bads:
        refused = save(api, {"first_name": "T", "field": bad})
        assert refused.status_code == 400, (bad, refused.body)
        assert "field" in body(refused)["Message"]


def test_rules_required_max_length_options_default(api):
    add_attributes(api, tier={"type": "text", "options": ["gold", "silver"], "default": "silver"},
                   code={"type": "text", "max_length": 4}, account={"type": "text", "required": True})
    made = save(api, {"first_name": "A", "account": "1"})
    assert made.status_code == 200 and body(made)["tier"] == "silver"
    missing = save(api, {"first_name": "A"})
    assert missing.status_code == 400 and "account" in body(missing)["Message"]
    assert save(api, {"account": "1", "tier": "bronze"}).status_code == 400
    assert "code" in body(save(api, {"account": "1", "code": "12345"}))["Message"]
    # An update cannot drop a required value either.
    cleared = api.put(f"/contacts/{body(made)['id']}", {"account": None})
    assert cleared.status_code == 400 and "account" in body(cleared)["Message"]


def test_phone_and_email_attributes_are_normalised_and_searchable(api):
    add_attributes(api, mobile="phone", work_email="email")
    made = body(save(api, {"first_name": "M", "mobile": "(212) 555-0123", "work_email": "M@Work.COM"}))
    assert made["normalized"] == {"mobile": "+12125550123", "work_email": "m@work.com"}
    found = body(api.post("/contacts/getContactsBySearchTerms", {"phone": "+1 212 555 0123"}))
    assert [c["id"] for c in found] == [made["id"]]
    by_mail = body(api.post("/contacts/getContactsBySearchTerms", {"work_email": "m@WORK.com"}))
    assert [c["id"] for c in by_mail] == [made["id"]]


def test_searchable_attribute_is_one_query_and_one_batch_get(api):
    add_attributes(api, account_no={"type": "text", "searchable": True})
    made = body(save(api, {"first_name": "A", "account_no": "AC-1001"}))
    save(api, {"first_name": "B", "account_no": "AC-1002"})
    found = api.post("/contacts/getContactsBySearchTerms", {"account_no": "ac-1001"})
    assert [c["id"] for c in body(found)] == [made["id"]]
    assert api.calls == ["Query", "BatchGetItem"]
    not_searchable = add_attributes(api, note="text")
    refused = api.post("/contacts/getContactsBySearchTerms", {"note": "x"})
    assert refused.status_code == 400 and "account_no" in body(refused)["Message"]
    assert not_searchable


def test_unique_attribute_refuses_a_second_holder_naming_it(api):
    add_attributes(api, account_no={"type": "text", "unique": True})
    first = body(save(api, {"first_name": "A", "account_no": "AC-1"}))
    second = save(api, {"first_name": "B", "account_no": "ac-1"})
    assert second.status_code == 409
    assert body(second)["Field"] == "account_no" and body(second)["HolderId"] == first["id"]
    other = body(save(api, {"first_name": "B", "account_no": "AC-2"}))
    taken = api.put(f"/contacts/{other['id']}", {"account_no": "AC-1"})
    assert taken.status_code == 409 and body(api.get(f"/contacts/{other['id']}"))["account_no"] == "AC-2"
    # Releasing a value lets another contact take it.
    assert api.put(f"/contacts/{first['id']}", {"account_no": "AC-9"}).status_code == 200
    assert api.put(f"/contacts/{other['id']}", {"account_no": "AC-1"}).status_code == 200
    assert api.delete(f"/contacts/{other['id']}").status_code == 200
    assert save(api, {"first_name": "C", "account_no": "AC-1"}).status_code == 200


def test_core_fields_cannot_be_deleted_or_retyped_but_can_be_relabelled(api):
    phone1 = next(a for a in body(api.get("/getSchema")) if a["key"] == "phone1")
    assert api.delete(f"/schema/{phone1['id']}").status_code == 422
    retyped = api.put(f"/schema/{phone1['id']}", {"type": "text"})
    assert retyped.status_code == 422 and "core" in body(retyped)["Message"]
    relabelled = api.put(f"/schema/{phone1['id']}", {"label": "Mobile"})
    assert relabelled.status_code == 200 and body(relabelled)["label"] == "Mobile"
    assert next(a for a in body(api.get("/getSchema")) if a["key"] == "phone1")["label"] == "Mobile"


def test_a_null_rule_is_refused_unless_it_can_be_cleared(api):
    # Found by fuzzing: a stored null broke every later read of the schema.
    attrs = add_attributes(api, code={"type": "text", "max_length": 5})
    for field in ("unique", "label", "type", "required"):
        reply = api.put(f"/schema/{attrs['code']['id']}", {field: None})
        assert reply.status_code == 400 and field in body(reply)["Message"], reply.body
    cleared = api.put(f"/schema/{attrs['code']['id']}", {"max_length": None})
    assert cleared.status_code == 200 and body(cleared)["max_length"] is None
    assert api.get("/getSchema").status_code == 200


def test_schema_ids_unknown_and_malformed(api):
    assert api.put("/schema/" + "A" * 32, {"label": "x"}).status_code == 404
    assert api.put("/schema/nope", {"label": "x"}).status_code == 400
    assert api.delete("/schema/" + "A" * 32).status_code == 404


def test_changes_that_existing_data_violates_are_409_with_the_offenders(api):
    attrs = add_attributes(api, code="text", size="text")
    a = body(save(api, {"first_name": "A", "code": "X1", "size": "12"}))
    b = body(save(api, {"first_name": "B", "code": "x1", "size": "large"}))
    dupes = api.put(f"/schema/{attrs['code']['id']}", {"unique": True})
    assert dupes.status_code == 409 and set(body(dupes)["ContactIds"]) == {a["id"], b["id"]}
    retype = api.put(f"/schema/{attrs['size']['id']}", {"type": "number"})
    assert retype.status_code == 409 and body(retype)["ContactIds"] == [b["id"]]
    # Nothing changed.
    kept = {x["key"]: x for x in body(api.get("/getSchema"))}
    assert kept["code"]["unique"] is False and kept["size"]["type"] == "text"


def test_deleting_an_attribute_in_use_needs_force_which_removes_values_and_index(api, table_items):
    attrs = add_attributes(api, account_no={"type": "text", "searchable": True})
    made = body(save(api, {"first_name": "A", "account_no": "AC-1"}))
    refused = api.delete(f"/schema/{attrs['account_no']['id']}")
    assert refused.status_code == 409 and body(refused)["ContactIds"] == [made["id"]]
    forced = api.delete(f"/schema/{attrs['account_no']['id']}?force=true")
    assert forced.status_code == 200 and body(forced)["job"]["state"] == "done"
    assert "account_no" not in body(api.get(f"/contacts/{made['id']}"))
    assert not [i for i in table_items() if i["PK"]["S"].startswith("IDX#attr:account_no")]
    assert "account_no" not in [a["key"] for a in body(api.get("/getSchema"))]


def test_an_unused_attribute_deletes_without_force(api):
    attrs = add_attributes(api, unused="text")
    assert api.delete(f"/schema/{attrs['unused']['id']}").status_code == 200


def test_making_an_attribute_searchable_backfills_300_contacts_in_resumable_steps(api, monkeypatch, table_items):
    attrs = add_attributes(api, account_no="text")
    from chalicelib.models.contact import ContactFields
    from chalicelib.services.contacts import contacts as contact_service

    ids = {contact_service.create(ContactFields.model_validate(
        {"first_name": f"P{i}", "account_no": f"AC-{i:04d}"})).id for i in range(300)}
    # A tiny time budget: each request does one page and says how far it got.
    monkeypatch.setenv("CIM_JOB_SECONDS", "0.001")
    from chalicelib.core.settings import get_settings
    get_settings.cache_clear()
    reply = api.put(f"/schema/{attrs['account_no']['id']}", {"searchable": True})
    assert reply.status_code == 202, reply.body
    job = body(reply)["job"]
    assert job["state"] == "running" and 0 < job["processed"] < 300
    progress = [job["processed"]]
    while job["state"] == "running":
        job = body(api.post(f"/schema/jobs/{job['id']}/run"))
        progress.append(job["processed"])
    assert progress == sorted(progress) and progress[-1] == 300
    assert job["changed"] == 300 and job["conflicts"] == []
    assert body(api.get(f"/schema/jobs/{job['id']}"))["state"] == "done"
    assert body(api.get("/getSchema"))[-1]["index_job"] is None
    entries = [i for i in table_items() if i["PK"]["S"].startswith("IDX#attr:account_no#")]
    assert len(entries) == 300 and {i["id"]["S"] for i in entries} == ids
    found = body(api.post("/contacts/getContactsBySearchTerms", {"account_no": "AC-0123"}))
    assert [c["first_name"] for c in found] == ["P123"]


def test_job_routes_refuse_bad_ids(api):
    assert api.get("/schema/jobs/nope").status_code == 400
    assert api.get("/schema/jobs/" + "D" * 32).status_code == 404
    assert api.post("/schema/jobs/" + "D" * 32 + "/run").status_code == 404


def test_a_reindex_keeps_each_contacts_consents(api):
    attrs = add_attributes(api, account_no="text")
    made = body(save(api, {"first_name": "Ann", "account_no": "AC-7"}))
    api.put(f"/contacts/{made['id']}/consents/recording", {"granted": True, "source": "ivr"})
    job = body(api.put(f"/schema/{attrs['account_no']['id']}", {"searchable": True})).get("job")
    while job and job["state"] == "running":
        job = body(api.post(f"/schema/jobs/{job['id']}/run"))
    stored = body(api.get(f"/contacts/{made['id']}"))
    assert stored["consents"]["recording"]["granted"] is True  # the job rewrote it from the schema's fields
    found = body(api.post("/contacts/getContactsBySearchTerms", {"account_no": "AC-7"}))
    assert [c["id"] for c in found] == [made["id"]]
