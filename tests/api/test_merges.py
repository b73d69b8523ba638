"""Merging contacts that are the same person, and undoing the merge exactly."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.store.secrets import identifier_digest
from tests.api.conftest import body, erase

ANN = {"first_name": "Ann", "last_name": "Lee", "phone1": "+1 415 555 0100", "email": "ann@example.com"}
ANNE = {"first_name": "Anne", "last_name": "Lee", "phone1": "+1 415 555 0101", "email": "anne.lee@example.com"}
# What the table holds only for the record of a change, or for the merge itself.
BOOKKEEPING = {"audit", "merge"}

# The entries a name has (each carries the contact): its words, their pairs, beginnings, triples; a long one's words.
NAMED = ("NAME#", "NAMEPAIR#", "NAMEBEGINS#", "NAMETRIPLE#", "NAMELONG#")


def _leg(api, call_id: str, ani: str, start: str) -> None:
    reply = api.post(f"/interactions/updateOrSaveInteractionTree/{call_id}",
                     {"call_Id": call_id, "ani": ani, "interaction": {"leg_id": "L", "type": "voice", "start_time": start}})
    assert reply.status_code == 200, reply.body


def _pair(api):
    """Two records of one person, each with a call, a note, a follow-up and a consent."""
    ann, anne = body(api.post("/saveContact", ANN)), body(api.post("/saveContact", ANNE))
    _leg(api, "CALL-ANN", ANN["phone1"], "2026-11-01T10:00:00Z")
    _leg(api, "CALL-ANNE", ANNE["phone1"], "2026-11-02T10:00:00Z")
    for who, text in ((ann, "Asked about fees"), (anne, "Moving house in May")):
        assert api.post(f"/contacts/{who['id']}/notes", {"text": text}).status_code == 201
    assert api.post("/followups", {"contact_id": anne["id"], "due_at": "2026-12-09T09:00:00Z",
                                   "note": "Call back", "kind": "task"}).status_code == 201
    api.put(f"/contacts/{ann['id']}/consents/marketing", {"granted": True})
    api.put(f"/contacts/{anne['id']}/consents/marketing", {"granted": False})
    return body(api.get(f"/contacts/{ann['id']}")), body(api.get(f"/contacts/{anne['id']}"))


def _items(table_items) -> dict[tuple[str, str], dict]:
    return {(i["PK"]["S"], i["SK"]["S"]): i for i in table_items() if i.get("entity", {}).get("S") not in BOOKKEEPING}


def test_a_preview_writes_nothing_a_merge_redirects_and_the_survivor_has_everything(api, table_items):
    ann, anne = _pair(api)
    before = table_items()
    asked = {"survivor_id": ann["id"], "merged_ids": [anne["id"]], "fields": {"email": anne["id"]}}

    preview = api.post("/contacts/merge", asked | {"dry_run": True})
    assert preview.status_code == 200, preview.body
    shown = body(preview)
    assert shown["contact"]["email"] == ANNE["email"] and shown["contact"]["consents"]["marketing"]["granted"] is False
    assert shown["moves"] == {"calls": 1, "notes": 1, "attachments": 0, "followups": 1, "identifiers": 2,
                              "consents": 1}
    assert table_items() == before  # a dry run writes nothing

    made = api.post("/contacts/merge", asked)
    assert made.status_code == 201, made.body
    # the two contacts, the suppression screen of her identifiers, one transaction (however much she owns)
    assert sorted(api.calls) == ["BatchGetItem", "GetItem", "GetItem", "TransactWriteItems"]
    merged = body(made)["contact"]
    assert merged["email"] == ANNE["email"] and merged["first_name"] == "Ann"
    assert merged["consents"]["marketing"]["granted"] is False  # a withdrawal beats a grant
    assert {(i["kind"], i["value"]) for i in merged["merged_identifiers"]} == {
        ("phone", "+14155550101"), ("email", "ann@example.com")}  # hers, and his own the choice displaced

    gone = api.get(f"/contacts/{anne['id']}")
    assert gone.status_code == 301 and gone.headers["Location"].endswith(f"/contacts/{ann['id']}")
    assert body(gone)["Code"] == "Merged" and body(gone)["merged_into"] == ann["id"]
    for refused in (api.put(f"/contacts/{anne['id']}", {"last_name": "X"}), api.delete(f"/contacts/{anne['id']}")):
        assert refused.status_code == 409 and ann["id"] in body(refused)["Message"]

    for number in ("%2B14155550101", "%2B14155550100"):  # both numbers, and both addresses, find the survivor
        assert [c["id"] for c in body(api.get(f"/contacts?phone={number}"))["items"]] == [ann["id"]]
        assert [c["id"] for c in body(api.get(f"/contacts/lookup?ani={number}"))["contacts"]] == [ann["id"]]
    for address in ("ann@example.com", "anne.lee@example.com"):
        found = body(api.post("/contacts/getContactsBySearchTerms", {"email": address}))
        assert [c["id"] for c in found] == [ann["id"]]
    assert anne["id"] not in [c["id"] for c in body(api.get("/contacts?name=anne"))["items"]]
    assert anne["id"] not in [c["id"] for c in body(api.get("/contacts?limit=100"))["items"]]

    calls = [c["call_Id"] for c in body(api.get(f"/contacts/{ann['id']}/interactions"))["items"]]
    assert calls == ["CALL-ANNE", "CALL-ANN"]  # hers too, newest first
    notes = [n["text"] for n in body(api.get(f"/contacts/{ann['id']}/notes"))["items"]]
    assert sorted(notes) == ["Asked about fees", "Moving house in May"]

    record = body(api.get(f"/merges/{body(made)['merge_id']}"))
    assert record["state"] == "applied" and record["merged_ids"] == [anne["id"]] and record["by"] == "bootstrap-admin"
    again = api.post("/contacts/merge", asked)
    assert again.status_code == 409 and "merged into" in body(again)["Message"]


def test_undo_gives_everything_back_item_for_item_and_keeps_the_survivors_later_changes(api, table_items):
    ann, anne = _pair(api)
    before = _items(table_items)
    merge_id = body(api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]],
                                                 "fields": {"email": anne["id"]}}))["merge_id"]
    # Since the merge: the agent changes the survivor's e-mail; two calls come in from her number, and
    # the agent links one to the survivor.
    survivor = body(api.get(f"/contacts/{ann['id']}"))
    api.put(f"/contacts/{ann['id']}", {"email": "ann.lee@example.org"}, headers={"If-Match": str(survivor["version"])})
    _leg(api, "CALL-SINCE", ANNE["phone1"], "2026-12-01T10:00:00Z")
    _leg(api, "CALL-LINKED", ANNE["phone1"], "2026-12-01T11:00:00Z")
    assert body(api.get("/interactions/CALL-SINCE"))["shown_to"] == [ann["id"]]  # the survivor holds her number
    assert api.put("/interactions/CALL-LINKED/contact", {"contact_id": ann["id"]}).status_code == 200

    undone = api.post(f"/merges/{merge_id}/undo")
    assert undone.status_code == 200, undone.body
    answer = body(undone)
    assert answer["conflicts"] == ["email"] and answer["calls_returned"] == 1
    assert answer["contact"]["email"] == "ann.lee@example.org"  # his later change stays
    assert "merged_from" not in answer["contact"] and "merged_identifiers" not in answer["contact"]
    assert body(api.get("/interactions/CALL-SINCE"))["shown_to"] == [anne["id"]]  # her number, her calls
    assert body(api.get("/interactions/CALL-LINKED"))["contact_id"] == anne["id"]

    after = _items(table_items)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    since = {k for k in changed if "CALL-SINCE" in k[0] + k[1] or "CALL-LINKED" in k[0] + k[1]}
    # Only the survivor's own later change (the contact, its e-mail entries, its number's entry
    # whose IVR card carries the e-mail, its name entries that carry it, its last-change entry that
    # moved twice, and who holds those addresses) and the calls that came since.
    holders_of = {("HELD#" + identifier_digest("email", a), "HELD") for a in ("ann@example.com", "ann.lee@example.org")}
    assert changed - since == {(f"CONTACT#{ann['id']}", "CONTACT"), ("IDX#email#ann@example.com", f"CONTACT#{ann['id']}"),
                               ("IDX#email#ann.lee@example.org", f"CONTACT#{ann['id']}"),
                               ("IDX#phone#+14155550100", f"CONTACT#{ann['id']}")} | holders_of \
        | {k for k in changed if k[0].startswith(("UPDATED#", *NAMED)) and k[1].endswith(ann["id"])}
    assert {k for k in changed if k[0].startswith(NAMED)} == {
        (f"NAME#{w[0]}", f"{w}#{ann['id']}") for w in ("ann", "lee")} | {
        (f"NAMEPAIR#{a}", f"{b}#{ann['id']}") for a, b in (("ann", "lee"), ("lee", "ann"))} | {
        (f"NAMEBEGINS#{b[:3]}", f"{a}#{b}#{ann['id']}") for a, b in (("ann", "lee"), ("lee", "ann"))}
    moved = {k for k in changed if k[0].startswith("UPDATED#")}
    assert len(moved) == 2 and all(k[1].endswith(ann["id"]) for k in moved)  # the edit's, gone; the undo's
    restored = json.loads(api.get(f"/contacts/{anne['id']}").body)
    assert restored == anne
    assert body(api.get(f"/merges/{merge_id}"))["state"] == "undone"
    assert api.post(f"/merges/{merge_id}/undo").status_code == 409


def test_merges_of_overlapping_sets_racing_one_wins_the_other_is_refused(api, monkeypatch):
    from chalicelib.store import contacts as store

    ann, anne = _pair(api)
    bob = body(api.post("/saveContact", {"first_name": "Anne", "last_name": "L", "phone1": "+1 415 555 0102"}))
    real = store.get_or_redirect
    raced = []

    def read_then_rival(contact_id):
        found = real(contact_id)
        if not raced and contact_id == anne["id"]:  # a colleague merges her elsewhere between our read and write
            raced.append(None)
            raced.append(api.client.http.request(
                "POST", "/contacts/merge", body=json.dumps({"survivor_id": bob["id"], "merged_ids": [anne["id"]]}),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {api.key}"}))
        return found

    monkeypatch.setattr(store, "get_or_redirect", read_then_rival)
    mine = api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]]})
    monkeypatch.setattr(store, "get_or_redirect", real)
    assert raced[1].status_code == 201 and mine.status_code == 409, mine.body
    assert anne["id"] in body(mine)["Message"]
    assert body(api.get(f"/contacts/{ann['id']}")).get("merged_from") is None  # nothing of the loser was written
    assert api.get(f"/contacts/{anne['id']}").headers["Location"].endswith(bob["id"])


@pytest.mark.parametrize("side", ["survivor", "merged"])
def test_an_erasure_after_a_merge_takes_both_sides_and_the_merge_record(api, table_items, side):
    ann, anne = _pair(api)
    merge_id = body(api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]]}))["merge_id"]
    erase(api, {"phone": ANNE["phone1"]} if side == "merged" else {"contact_id": ann["id"]})
    left = json.dumps(table_items())
    for value in ("Anne", "Moving house", "+14155550101", "anne.lee@example.com", "ann@example.com", "Asked about"):
        assert value not in left
    assert api.get(f"/merges/{merge_id}").status_code == 404
    assert api.get(f"/contacts/{anne['id']}").status_code == 404


def test_a_merge_names_what_is_wrong_with_it(api):
    ann, anne = _pair(api)
    cases = {
        json.dumps({"survivor_id": ann["id"], "merged_ids": []}): "merged_ids",
        json.dumps({"survivor_id": ann["id"], "merged_ids": [ann["id"]]}): "merged_ids",
        json.dumps({"survivor_id": ann["id"], "merged_ids": [anne["id"], anne["id"]]}): "merged_ids",
        json.dumps({"survivor_id": ann["id"], "merged_ids": [anne["id"]], "fields": {"shoe": anne["id"]}}): "fields.shoe",
        json.dumps({"survivor_id": ann["id"], "merged_ids": [anne["id"]], "fields": {"email": "X" * 32}}): "fields.email",
        json.dumps({"survivor_id": ann["id"], "merged_ids": ["9" * 32]}): "merged_ids",
        '{"survivor_id": 5}': "survivor_id",
    }
    for sent, field in cases.items():
        reply = api.post("/contacts/merge", raw=sent)
        assert reply.status_code in (400, 404), (sent, reply.body)
        assert field in body(reply)["Message"], (sent, reply.body)
    assert api.get("/merges/" + "A" * 32).status_code == 404
    assert api.post("/merges/nope/undo").status_code == 400


def test_unique_values_go_with_the_merge_and_come_back_with_the_undo(api):
    from tests.api.conftest import add_attributes

    add_attributes(api, account_no={"type": "text", "unique": True})
    ann = body(api.post("/saveContact", ANN | {"account_no": "AC-1"}))
    anne = body(api.post("/saveContact", ANNE | {"account_no": "AC-2"}))
    merged = api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]],
                                          "fields": {"account_no": anne["id"]}})
    assert merged.status_code == 201, merged.body
    assert body(merged)["contact"]["account_no"] == "AC-2"
    for value in ("AC-1", "AC-2"):  # his displaced value and hers: both still his, nobody else's
        taken = api.post("/saveContact", {"first_name": "Other", "account_no": value})
        assert taken.status_code == 409 and body(taken)["HolderId"] == ann["id"], taken.body
    found = body(api.post("/contacts/getContactsBySearchTerms", {"account_no": "AC-2", "first_name": "Ann"}))
    assert [c["id"] for c in found] == [ann["id"]]

    undone = body(api.post(f"/merges/{body(merged)['merge_id']}/undo"))
    assert undone["contact"]["account_no"] == "AC-1" and undone["restored"][0]["account_no"] == "AC-2"
    for value, holder in (("AC-1", ann["id"]), ("AC-2", anne["id"])):
        taken = api.post("/saveContact", {"first_name": "Other", "account_no": value})
        assert taken.status_code == 409 and body(taken)["HolderId"] == holder, taken.body


# --- the round trip, for any group of records -----------------------------------------------------

_numbers = iter(range(1_000_000, 9_999_999))
PERSON = st.fixed_dictionaries({
    "first_name": st.sampled_from(["Ann", "Anne", "Anna", "Annika"]),
    "last_name": st.sampled_from(["Lee", "Lee-Smith", None]),
    "email": st.booleans(), "phone2": st.booleans(), "shares_phone": st.booleans(),
    "consents": st.dictionaries(st.sampled_from(["recording", "marketing"]), st.booleans(), max_size=2),
    "calls": st.integers(0, 2), "notes": st.integers(0, 2), "followup": st.booleans(), "file": st.booleans()})


def _make(api, person: dict, survivor_phone: str | None) -> dict:
    n = next(_numbers)
    phone = survivor_phone if survivor_phone and person["shares_phone"] else f"+358 40 {n}"
    fields = {"first_name": person["first_name"], "phone1": phone}
    fields |= {"last_name": person["last_name"]} if person["last_name"] else {}
    fields |= {"email": f"p{n}@example.com"} if person["email"] else {}
    fields |= {"phone2": f"+358 50 {n}"} if person["phone2"] else {}
    made = body(api.post("/saveContact", fields))
    for usage, granted in person["consents"].items():
        assert api.put(f"/contacts/{made['id']}/consents/{usage}", {"granted": granted}).status_code == 200
    for i in range(person["calls"]):
        _leg(api, f"CALL-{n}-{i}", phone, f"2026-11-{10 + i}T10:00:00Z")
    for i in range(person["notes"]):
        assert api.post(f"/contacts/{made['id']}/notes", {"text": f"note {i}"}).status_code == 201
    if person["followup"]:
        assert api.post("/followups", {"contact_id": made["id"], "due_at": "2026-12-20T09:00:00Z"}).status_code == 201
    if person["file"]:
        assert api.post("/s3attachments", {"fileName": "a.pdf", "mimeType": "application/pdf", "size": 10,
                                           "contact_id": made["id"]}).status_code == 201
    return made


def _bucket() -> dict[str, str]:
    from chalicelib.core.settings import get_settings
    from chalicelib.store import aws

    listed = aws.s3().list_objects_v2(Bucket=get_settings().bucket_name)
    return {o["Key"]: o["ETag"] for o in listed.get("Contents", [])}


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(people=st.lists(PERSON, min_size=2, max_size=4), picks=st.lists(st.integers(0, 3), min_size=4, max_size=4))
def test_any_merge_undone_leaves_the_table_and_the_bucket_as_they_were(api, table_items, people, picks):
    survivor = _make(api, people[0], None)
    others = [_make(api, p, survivor["phone1"]) for p in people[1:]]
    group = [survivor] + others
    fields = {f: group[p % len(group)]["id"] for f, p in zip(("first_name", "last_name", "email", "phone2"), picks)}
    before, files = _items(table_items), _bucket()
    read = {who["id"]: body(api.get(f"/contacts/{who['id']}")) for who in group}
    calls = {c["call_Id"] for who in group for c in body(api.get(f"/contacts/{who['id']}/interactions?limit=50"))["items"]}

    merged = api.post("/contacts/merge", {"survivor_id": survivor["id"], "merged_ids": [o["id"] for o in others],
                                          "fields": fields})
    assert merged.status_code == 201, merged.body
    shown = body(api.get(f"/contacts/{survivor['id']}/interactions?limit=50"))["items"]
    assert sorted(c["call_Id"] for c in shown) == sorted(calls)  # every call of the group, once
    for other in others:
        assert api.get(f"/contacts/{other['id']}").status_code == 301
    undone = api.post(f"/merges/{body(merged)['merge_id']}/undo")
    assert undone.status_code == 200 and body(undone)["conflicts"] == [], undone.body

    after = _items(table_items)
    mine = (f"CONTACT#{survivor['id']}", "CONTACT")
    # The survivor's last change is the undo: its one last-change entry moved there.
    moved = {k for k in before.keys() | after.keys() if k[0].startswith("UPDATED#") and k[1].endswith(survivor["id"])}
    # Its name entries carry it: the same entries, changed as it did (they carry its version now).
    named = lambda items: {k for k in items if k[0].startswith(NAMED)  # noqa: E731
                           and k[1].endswith(survivor["id"])}
    assert named(after) == named(before)
    version = str(body(api.get(f"/contacts/{survivor['id']}"))["version"])
    assert all(after[k]["contact"]["M"]["version"]["N"] == version for k in named(after) if "contact" in after[k])
    assert {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} <= {mine} | moved | named(after)
    assert len([k for k in after if k in moved]) == 1
    assert {k: v for k, v in after[mine].items() if k not in ("doc", "version", "terms")} == \
        {k: v for k, v in before[mine].items() if k not in ("doc", "version", "terms")}

    def terms(item):  # as a set, but for the last change
        return sorted(str(t) for t in item["terms"]["L"] if t["L"][0]["S"] != "updated")
    assert terms(after[mine]) == terms(before[mine])
    assert {k: v for k, v in after[mine]["doc"]["M"].items() if k != "updated_at"} == \
        {k: v for k, v in before[mine]["doc"]["M"].items() if k != "updated_at"}
    assert _bucket() == files
    for who in others:
        assert body(api.get(f"/contacts/{who['id']}")) == read[who["id"]]


@pytest.mark.parametrize("when", ["while the merge reads", "after the merge", "while the undo reads"])
def test_a_call_from_the_merged_number_racing_the_merge_ends_on_exactly_one_contact(api, monkeypatch, when):
    from chalicelib.store import contacts as store

    ann, anne = _pair(api)
    real = store.get_or_redirect
    rang = []

    def read_then_ring(contact_id):
        found = real(contact_id)
        if not rang and contact_id == ann["id"] and when.endswith("reads"):
            rang.append(True)
            _leg(api, "CALL-RACE", ANNE["phone1"], "2026-12-02T09:00:00Z")
        return found

    if when == "while the undo reads":
        merge_id = body(api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]]}))["merge_id"]
    monkeypatch.setattr(store, "get_or_redirect", read_then_ring)
    if when != "while the undo reads":
        merge_id = body(api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]]}))["merge_id"]
    if when == "after the merge":
        _leg(api, "CALL-RACE", ANNE["phone1"], "2026-12-02T09:00:00Z")

    def holders():
        return [who["id"] for who in (ann, anne) if api.get(f"/contacts/{who['id']}").status_code == 200
                and "CALL-RACE" in [c["call_Id"] for c in body(api.get(f"/contacts/{who['id']}/interactions"))["items"]]]

    if when != "while the undo reads":
        assert holders() == [ann["id"]]  # the survivor's, once; the merged id only redirects
    assert api.post(f"/merges/{merge_id}/undo").status_code == 200
    monkeypatch.setattr(store, "get_or_redirect", real)
    assert rang or when == "after the merge"
    assert holders() == [anne["id"]]  # her number: hers again, and no longer his


def test_an_erasure_after_an_undo_takes_only_the_person_asked_for(api, table_items):
    ann, anne = _pair(api)
    merge_id = body(api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]]}))["merge_id"]
    assert api.post(f"/merges/{merge_id}/undo").status_code == 200
    erase(api, {"phone": ANNE["phone1"]})  # two people again: erasing her leaves him
    left = json.dumps(table_items())
    for value in ("Anne", "Moving house", "+14155550101", "anne.lee@example.com"):
        assert value not in left
    assert body(api.get(f"/contacts/{ann['id']}"))["email"] == ANN["email"]
    assert "Asked about fees" in [n["text"] for n in body(api.get(f"/contacts/{ann['id']}/notes"))["items"]]
    record = body(api.get(f"/merges/{merge_id}"))  # ids and when, nothing of hers
    assert record["state"] == "undone" and record["merged_ids"] == [anne["id"]]


def test_writing_onto_a_merged_id_is_refused_naming_the_survivor(api):
    ann, anne = _pair(api)
    api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]]})
    _leg(api, "CALL-LATE", "+1 415 555 0199", "2026-12-01T10:00:00Z")
    for refused in (api.post(f"/contacts/{anne['id']}/notes", {"text": "to the old id"}),
                    api.post("/followups", {"contact_id": anne["id"], "due_at": "2026-12-20T09:00:00Z"}),
                    api.put("/interactions/CALL-LATE/contact", {"contact_id": anne["id"]}),
                    api.post("/s3attachments", {"fileName": "a.pdf", "mimeType": "application/pdf", "size": 10,
                                                "contact_id": anne["id"]})):
        assert refused.status_code == 409, refused.body
        assert body(refused)["Code"] == "Merged" and body(refused)["merged_into"] == ann["id"]
    notes = [n["text"] for n in body(api.get(f"/contacts/{ann['id']}/notes"))["items"]]
    assert "to the old id" not in notes


def test_an_access_request_after_a_merge_returns_what_both_records_hold(api):
    ann, anne = _pair(api)
    api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]]})
    for asked in ({"phone": ANNE["phone1"]}, {"contact_id": anne["id"]}, {"contact_id": ann["id"]}):
        reply = api.post("/privacy/access-requests", asked)
        assert reply.status_code in (200, 201), reply.body
        document = json.dumps(body(reply)["document"])
        for held in ("Moving house in May", "Asked about fees", "CALL-ANNE", "CALL-ANN", "Call back"):
            assert held in document, (asked, held)
