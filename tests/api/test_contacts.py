"""The CIM Contacts API as a client uses it."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from chalicelib.store.entities.contacts import UpdatedItem
from chalicelib.store.secrets import identifier_digest
from tests.api.conftest import add_attributes, body

ID = re.compile(r"^[0-9A-F]{32}$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ANN = {"first_name": "Ann", "last_name": "Lee", "phone1": "+1 (415) 555-0100", "email": "Ann.Lee@Example.com"}
ANNELI = {"first_name": "Anneli", "last_name": "Söderberg", "phone1": "+358 40 123 4567"}


def create(api, fields):
    """The contact as stored: the create's answer, less the candidates it may duplicate."""
    reply = api.post("/saveContact", fields)
    assert reply.status_code == 200, reply.body
    made = body(reply)
    assert isinstance(made.pop("possible_duplicates"), list)
    return made


# --- create / read ---------------------------------------------------------

def test_save_contact_returns_the_stored_contact_with_server_fields(api):
    add_attributes(api, loyalty_tier="text", tags="list")
    contact = create(api, ANN | {"loyalty_tier": "gold", "tags": ["vip", "b2b"]})
    assert ID.match(contact["id"])
    assert STAMP.match(contact["created_at"]) and contact["created_at"] == contact["updated_at"]
    assert contact["version"] == 1
    assert contact["first_name"] == "Ann" and contact["phone1"] == "+1 (415) 555-0100"
    assert contact["normalized"] == {"phone1": "+14155550100", "email": "ann.lee@example.com"}
    assert contact["loyalty_tier"] == "gold" and contact["tags"] == ["vip", "b2b"]
    # One BatchGetItem: whether its number and address are suppressed (erased
    # people), which have called before and who else holds them (possible
    # duplicates: nobody here, so nothing more is read); then one transaction
    # (the contact, its index entries, its audit entry, the holder markers).
    assert api.calls == ["BatchGetItem", "TransactWriteItems"]

    reply = api.get(f"/contacts/{contact['id']}")
    assert reply.status_code == 200
    assert body(reply) == contact
    assert reply.headers["ETag"] == '"1"'


def test_server_fields_in_a_body_are_not_taken(api):
    contact = create(api, ANN | {"id": "0" * 32, "version": 9, "created_at": "1999-01-01T00:00:00Z"})
    assert contact["id"] != "0" * 32 and contact["version"] == 1 and contact["created_at"] != "1999-01-01T00:00:00Z"


def test_resource_style_create_answers_201_with_location(api):
    reply = api.post("/contacts", ANN)
    assert reply.status_code == 201
    contact = body(reply)
    assert reply.headers["Location"] == f"/contacts/{contact['id']}"
    assert contact.pop("possible_duplicates") == []
    assert body(api.get(reply.headers["Location"])) == contact


def test_get_by_id_is_one_getitem(api):
    contact = create(api, ANN)
    api.get(f"/contacts/{contact['id']}")
    assert api.calls == ["GetItem"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_and_malformed_ids(api, method):
    payload = {"first_name": "X"} if method == "PUT" else None
    unknown = api.request(method, "/contacts/" + "A" * 32, payload)
    assert unknown.status_code == 404 and body(unknown)["Code"] == "NotFound"
    bad = api.request(method, "/contacts/not-an-id", payload)
    assert bad.status_code == 400 and "Invalid id" in body(bad)["Message"]


# --- bad input ----------------------------------------------------------------

@pytest.mark.parametrize("raw, status, words", [
    ("{bad", 400, "malformed JSON"),
    ("[1, 2]", 400, "must be a JSON object"),
    ('"text"', 400, "must be a JSON object"),
    ("", 400, "JSON object is required"),
    ('{"phone1": 4155550100}', 400, "phone1"),
    ('{"first_name": ["Ann"]}', 400, "first_name"),
    ('{"first_name": "' + "x" * 101 + '"}', 400, "first_name"),
    ('{"phone1": "call me maybe"}', 400, "phone1"),
    ('{"phone2": "12"}', 400, "phone2"),
    ('{"email": "not-an-address"}', 400, "email"),
    ('{"address": {"street": "Main"}}', 400, "address"),
    ('{"bad key!": 1}', 400, "bad key!"),
    ('{"shoe_size": 44}', 400, "unknown attributes: shoe_size"),
    ('{"notes": "' + "x" * 1001 + '"}', 400, "notes"),
])
def test_bad_bodies_get_a_400_naming_the_problem(api, raw, status, words):
    add_attributes(api, notes="text", address="text")
    reply = api.post("/saveContact", raw=raw)
    assert reply.status_code == status, reply.body
    data = body(reply)
    assert set(data) >= {"Code", "Message"} and words in data["Message"]
    assert body(api.get("/getContactList")) == []  # nothing half-written


def test_oversized_body_is_413_before_parsing(api):
    reply = api.post("/saveContact", raw='{"notes": "' + "x" * (300 * 1024) + '"}')
    assert reply.status_code == 413 and body(reply)["Code"] == "PayloadTooLarge"
    assert api.calls == []


def test_too_many_attribute_bytes_is_413(api):
    add_attributes(api, **{f"field{i}": "text" for i in range(30)})
    fields = {f"field{i}": "x" * 900 for i in range(30)}
    reply = api.post("/saveContact", fields)
    assert reply.status_code == 413 and "bytes" in body(reply)["Message"]


@pytest.mark.parametrize("query, words", [("limit=abc", "limit"), ("limit=0", "limit"), ("cursor=garbage", "cursor")])
def test_bad_paging_parameters(api, query, words):
    reply = api.get(f"/getContactList?{query}")
    assert reply.status_code == 400 and words in body(reply)["Message"]


# --- update / delete ----------------------------------------------------------

def test_update_merges_fields_moves_the_index_and_bumps_the_version(api):
    contact = create(api, ANN)
    reply = api.put(f"/contacts/{contact['id']}", {"phone1": "650 253 0000", "email": None, "version": 1})
    assert reply.status_code == 200, reply.body
    updated = body(reply)
    assert updated["version"] == 2 and reply.headers["ETag"] == '"2"'
    assert updated["first_name"] == "Ann" and updated["email"] is None
    assert updated["created_at"] == contact["created_at"] and updated["updated_at"] >= contact["updated_at"]
    # Read; whether the numbers gained are suppressed, who else holds them and
    # which gained or lost have called (one BatchGetItem); one transaction with
    # the audit entry; the holder markers of the number and address it let go
    # of, dropped if nobody else is listed (a conditional DeleteItem each).
    assert api.calls == ["GetItem", "BatchGetItem", "TransactWriteItems", "DeleteItem", "DeleteItem"]
    api.put(f"/contacts/{contact['id']}", {"first_name": "Annie"})
    assert api.calls == ["GetItem", "TransactWriteItems"]
    assert body(api.post("/contacts/getContactsBySearchTerms", {"phone": "415-555-0100"})) == []
    assert body(api.post("/contacts/getContactsBySearchTerms", {"email": "ann.lee@example.com"})) == []
    assert [c["id"] for c in body(api.get("/contacts?phone=%2B16502530000"))["items"]] == [contact["id"]]


def test_a_stale_version_is_412_whether_sent_as_if_match_or_in_the_body(api):
    contact = create(api, ANN)
    assert api.put(f"/contacts/{contact['id']}", {"first_name": "Anna"}, headers={"If-Match": '"1"'}).status_code == 200
    stale_header = api.put(f"/contacts/{contact['id']}", {"first_name": "Hanna"}, headers={"If-Match": '"1"'})
    stale_body = api.put(f"/contacts/{contact['id']}", {"first_name": "Hanna", "version": 1})
    for reply in (stale_header, stale_body):
        assert reply.status_code == 412
        assert body(reply)["CurrentVersion"] == 2
    assert body(api.get(f"/contacts/{contact['id']}"))["first_name"] == "Anna"


def test_a_stale_if_match_merges_fields_nobody_else_changed(api):
    """Three-way: a client that read version 1 and sends only what it changed
    never undoes another's save; a field both changed is a 412 naming it."""
    contact = create(api, ANN | {"email": "ann@example.com"})
    other = api.put(f"/contacts/{contact['id']}", {"email": "ann.lee@example.com"}, headers={"If-Match": '"1"'})
    assert other.status_code == 200
    mine = api.put(f"/contacts/{contact['id']}", {"last_name": "Leigh"}, headers={"If-Match": '"1"'})
    assert mine.status_code == 200 and body(mine)["version"] == 3
    stored = body(api.get(f"/contacts/{contact['id']}"))
    assert stored["email"] == "ann.lee@example.com" and stored["last_name"] == "Leigh"
    # Setting the field the other changed to what they set is no conflict...
    same = api.put(f"/contacts/{contact['id']}", {"email": "ANN.LEE@example.com"}, headers={"If-Match": '"1"'})
    assert same.status_code == 200
    # ...to something else is, and nothing is written.
    clash = api.put(f"/contacts/{contact['id']}", {"email": "ann@else.com", "first_name": "Annie"},
                    headers={"If-Match": '"1"'})
    assert clash.status_code == 412
    assert body(clash)["Conflicts"] == ["email"] and body(clash)["CurrentVersion"] == 4
    assert body(api.get(f"/contacts/{contact['id']}"))["version"] == 4


def test_if_match_and_body_version_must_agree(api):
    contact = create(api, ANN)
    reply = api.put(f"/contacts/{contact['id']}", {"version": 1}, headers={"If-Match": '"2"'})
    assert reply.status_code == 400 and "version" in body(reply)["Message"]
    bad = api.put(f"/contacts/{contact['id']}", {"version": "one"})
    assert bad.status_code == 400 and "version" in body(bad)["Message"]


def test_the_body_id_must_name_the_path_contact(api):
    contact = create(api, ANN)
    reply = api.put(f"/contacts/{contact['id']}", {"id": "B" * 32, "first_name": "X"})
    assert reply.status_code == 400 and "id" in body(reply)["Message"]


def test_a_round_tripped_contact_can_be_put_back(api):
    contact = create(api, ANN)
    edited = contact | {"last_name": "Lee-Smith"}
    reply = api.put(f"/contacts/{contact['id']}", edited)
    assert reply.status_code == 200 and body(reply)["last_name"] == "Lee-Smith"


def test_delete_returns_the_contact_and_removes_every_index_entry(api, table_items):
    contact = create(api, ANN | {"phone2": "650 253 0000"})
    stale = api.delete(f"/contacts/{contact['id']}", headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    reply = api.delete(f"/contacts/{contact['id']}")
    assert reply.status_code == 200 and body(reply) == contact
    # Read, delete in one transaction, drop the three holder markers it was the last in, follow its calls.
    assert api.calls == ["GetItem", "TransactWriteItems"] + ["DeleteItem"] * 3 + ["BatchGetItem"]
    assert api.get(f"/contacts/{contact['id']}").status_code == 404
    assert body(api.post("/contacts/getContactsBySearchTerms", {"phone": "415-555-0100"})) == []
    # Only the audit trail remains: its creation and its deletion (and the table's index format, there from its start).
    left = [i for i in table_items() if i["entity"]["S"] != "index_format"]
    assert [i["action"]["S"] for i in sorted(left, key=lambda i: i["SK"]["S"])] == ["created", "deleted"]
    assert {i["PK"]["S"] for i in left} == {f"AUDIT#{contact['id']}"}


def test_updates_leave_no_index_entry_behind(api, table_items):
    contact = create(api, ANN)
    api.put(f"/contacts/{contact['id']}", {"first_name": "Bo", "last_name": "Ek", "phone1": "+46 8 123 456 78"})
    stored = {(i["PK"]["S"], i["SK"]["S"]): i for i in table_items() if i["entity"]["S"] != "index_format"}
    updated_at = stored[(f"CONTACT#{contact['id']}", "CONTACT")]["doc"]["M"]["updated_at"]["S"]
    keys = sorted(k for k in stored if k[0] not in (f"CONTACT#{contact['id']}", f"AUDIT#{contact['id']}"))
    assert keys == sorted([
        # its last change, where ``updated_since`` finds it (the create's entry moved)
        (UpdatedItem.keys(updated_at, contact["id"])["PK"], f"{updated_at}#{contact['id']}"),
        ("IDX#phone#+46812345678", f"CONTACT#{contact['id']}"),
        ("IDX#phone_end#5678", f"CONTACT#{contact['id']}"),  # its last digits, for a search by them
        ("IDX#email#ann.lee@example.com", f"CONTACT#{contact['id']}"),
        ("NAME#b", f"bo#{contact['id']}"),
        ("NAME#e", f"ek#{contact['id']}"),
        ("NAMEPAIR#bo", f"ek#{contact['id']}"),  # the two words together, both ways
        ("NAMEPAIR#ek", f"bo#{contact['id']}"),
        # (no beginning entries: they are keyed by a word's first three letters, and "bo" and "ek" have two)
        # who holds its number and address now (its old number's marker went with it)
        ("HELD#" + identifier_digest("phone", "+46812345678"), "HELD"),
        ("HELD#" + identifier_digest("email", "ann.lee@example.com"), "HELD"),
    ])


# --- search ---------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["+1 (415) 555-0100", "415-555-0100", "0014155550100", "+14155550100"])
def test_any_phone_format_finds_the_contact(api, typed):
    contact = create(api, ANN)
    create(api, ANNELI)
    reply = api.post("/contacts/getContactsBySearchTerms", {"phone": typed})
    assert [c["id"] for c in body(reply)] == [contact["id"]]
    assert api.calls == ["Query", "BatchGetItem"]


def test_a_numbers_last_digits_and_a_text_attributes_beginning_find_contacts_in_one_query(api):
    add_attributes(api, account_no={"type": "text", "searchable": True}, visits={"type": "number", "searchable": True})
    ann = create(api, {"first_name": "Ann", "phone1": "+1 415 555 1010", "account_no": "AC-1001"})
    bo = create(api, {"first_name": "Bo", "phone1": "+1 650 555 1010", "account_no": "AC-1002"})
    cy = create(api, {"first_name": "Cy", "phone1": "+1 415 555 2010", "phone2": "+1 212 555 0101",
                      "account_no": "ac-2001"})
    for typed, expected in (("1010", {ann["id"], bo["id"]}), ("555-1010", {ann["id"], bo["id"]}),
                            ("(555) 1010", {ann["id"], bo["id"]}), ("0101", {cy["id"]}),
                            ("415 555 1010", {ann["id"]})):  # a whole number: that number only
        found = body(api.get("/contacts?" + urlencode({"phone": typed})))["items"]
        assert {c["id"] for c in found} == expected, typed
        assert api.calls == ["Query", "BatchGetItem"], typed
    assert body(api.get("/contacts?phone=9999"))["items"] == []
    assert api.get("/contacts?phone=101").status_code == 400  # three digits are nobody's ending

    found = body(api.get("/contacts?" + urlencode({"account_no": "AC-10*"})))["items"]
    assert [c["id"] for c in found] == [ann["id"], bo["id"]]  # in value order: an exact value first
    assert api.calls == ["Query", "BatchGetItem"]
    assert [c["id"] for c in body(api.post("/contacts/getContactsBySearchTerms", {"account_no": "ac-2*"}))] == [
        cy["id"]]  # case and accents aside, as an exact search
    assert body(api.get("/contacts?" + urlencode({"account_no": "AC-10"})))["items"] == []  # no *: the exact value
    both = body(api.get("/contacts?" + urlencode({"account_no": "AC-100*", "phone": "1010"})))["items"]
    assert {c["id"] for c in both} == {ann["id"], bo["id"]}
    unknown = api.get("/contacts?" + urlencode({"foo": "bar"}))  # never silently the whole list
    assert unknown.status_code == 400 and "foo: not an attribute" in body(unknown)["Message"]
    for asked, words in (({"account_no": "A*"}, "at least 2 characters"), ({"visits": "1*"}, "only a text attribute")):
        refused = api.get("/contacts?" + urlencode(asked))
        assert refused.status_code == 400 and words in body(refused)["Message"], asked


def test_contacts_written_before_endings_and_beginnings_were_indexed_get_them_from_one_reindex(api):
    """An upgrade: the maintenance schedule reindexes every contact once in
    the current index format, then records it and starts no other job."""
    from app import app
    from chalicelib.core.settings import get_settings
    from chalicelib.store import aws
    from devtools.triggers import run_schedules

    add_attributes(api, account_no={"type": "text", "searchable": True})
    ann = create(api, {"first_name": "Ann", "phone1": "+1 415 555 1010", "account_no": "AC-1001"})
    table = get_settings().table_name
    for item in aws.dynamodb().scan(TableName=table)["Items"]:  # as an older version wrote them
        if item["PK"]["S"].startswith(("IDX#phone_end#", "BEGINS#")) or item["SK"]["S"] == "INDEX#FORMAT":
            aws.dynamodb().delete_item(TableName=table, Key={"PK": item["PK"], "SK": item["SK"]})
        elif item["SK"]["S"] == "CONTACT":  # its list of entries without the new kinds
            item["terms"]["L"] = [t for t in item["terms"]["L"]
                                  if not t["L"][0]["S"].startswith(("phone_end", "begins:"))]
            aws.dynamodb().put_item(TableName=table, Item=item)
    assert body(api.get("/contacts?phone=1010"))["items"] == []
    run_schedules(app, ("resume-schema-jobs",))
    assert [c["id"] for c in body(api.get("/contacts?phone=1010"))["items"]] == [ann["id"]]
    assert [c["id"] for c in body(api.get("/contacts?account_no=AC-1*"))["items"]] == [ann["id"]]

    def jobs():
        return [i for i in aws.dynamodb().scan(TableName=table)["Items"] if i["SK"]["S"].startswith("JOB#")]

    before = jobs()
    assert [j["state"]["S"] for j in before if "index format" in j["reason"]["S"]] == ["done"]
    run_schedules(app, ("resume-schema-jobs",))  # recorded: no second job
    assert len(jobs()) == len(before)


def test_search_terms_combine_with_and(api):
    ann = create(api, ANN)
    create(api, {"first_name": "Bob", "phone1": "415-555-0100"})  # shares the number
    both = body(api.post("/contacts/getContactsBySearchTerms", {"phone": "4155550100"}))
    assert len(both) == 2
    only = body(api.post("/contacts/getContactsBySearchTerms", {"phone": "4155550100", "first_name": "ANN"}))
    assert [c["id"] for c in only] == [ann["id"]]
    none = body(api.post("/contacts/getContactsBySearchTerms", {"phone": "4155550100", "first_name": "Carl"}))
    assert none == []


def test_search_by_email_ignores_case_and_by_custom_field_filters(api):
    add_attributes(api, tier="text")
    ann = create(api, ANN | {"tier": "gold"})
    create(api, {"first_name": "Ann", "email": "other@example.com", "tier": "silver"})
    found = body(api.post("/contacts/getContactsBySearchTerms", {"email": "ANN.LEE@example.COM"}))
    assert [c["id"] for c in found] == [ann["id"]]
    gold = body(api.post("/contacts/getContactsBySearchTerms", {"first_name": "ann", "tier": "gold"}))
    assert [c["id"] for c in gold] == [ann["id"]]


def test_search_needs_one_indexed_term(api):
    add_attributes(api, tier="text")
    reply = api.post("/contacts/getContactsBySearchTerms", {"tier": "gold"})
    assert reply.status_code == 400 and "phone" in body(reply)["Message"]
    bad_phone = api.post("/contacts/getContactsBySearchTerms", {"phone": "nope"})
    assert bad_phone.status_code == 400 and "phone" in body(bad_phone)["Message"]
    empty = api.post("/contacts/getContactsBySearchTerms", {})
    assert empty.status_code == 400


@pytest.mark.parametrize("query, expected", [
    ("ann", {"Ann Lee", "Anneli Söderberg"}),
    ("sod", {"Anneli Söderberg"}),
    ("lee an", {"Ann Lee"}),
    ("S%C3%96DERBERG", {"Anneli Söderberg"}),
    ("zed", set()),
])
def test_name_search(api, query, expected):
    for fields in (ANN, ANNELI, {"first_name": "Bo", "last_name": "Annersten-Lee"}):
        create(api, fields)
    reply = api.get(f"/contacts/getContactByName/{query}")
    assert reply.status_code == 200
    assert {f"{c['first_name']} {c['last_name']}" for c in body(reply)} - {"Bo Annersten-Lee"} == expected
    # The contacts ride on their name entries: one Query for a word. "lee an": the exact pairs, then (a word
    # of two letters cannot pick the beginning entries' key) the names where "lee" only begins one of
    # theirs, filtered, then the long names that hold "lee" whole: three.
    assert api.calls == (["Query"] if len(query.split()) == 1 else ["Query"] * 3)


def test_name_search_lists_a_contact_once_even_when_two_words_match(api):
    create(api, {"first_name": "Ann", "last_name": "Annersten"})
    assert len(body(api.get("/contacts/getContactByName/ann"))) == 1


def test_resource_style_search_and_list(api):
    ann = create(api, ANN)
    create(api, ANNELI)
    by_name = body(api.get("/contacts?name=lee%20an"))
    assert [c["id"] for c in by_name["items"]] == [ann["id"]] and by_name["cursor"] is None
    by_email = body(api.get("/contacts?email=ann.lee%40example.com&phone=415-555-0100"))
    assert [c["id"] for c in by_email["items"]] == [ann["id"]]
    listing = body(api.get("/contacts"))
    assert len(listing["items"]) == 2 and listing["items"][0]["first_name"] == "Anneli"  # newest first


# --- paging ---------------------------------------------------------------------

@pytest.fixture
def contacts120(api):
    return [create(api, {"first_name": f"Person{i:03d}", "phone1": f"+1 415 555 {1000 + i}"})["id"]
            for i in range(120)]


def test_paging_120_contacts_returns_each_once_newest_first_on_every_route(api, contacts120):
    newest_first = list(reversed(contacts120))

    # CIM list: a bare array, the next cursor in X-Next-Cursor; a Query of each of the list's two shards a
    # page, merged (the first also reads the table's index format: the old unsharded key needs no read).
    seen, cursor, pages = [], None, 0
    while True:
        reply = api.get("/getContactList?limit=50" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status_code == 200 and api.calls == ([] if pages else ["GetItem"]) + ["Query", "Query"]
        seen += [c["id"] for c in body(reply)]
        pages += 1
        cursor = reply.headers.get("X-Next-Cursor")
        if not cursor:
            break
    assert pages == 3 and seen == newest_first

    # Resource style: {"items", "cursor"}.
    seen, cursor = [], None
    while True:
        page = body(api.get("/contacts?limit=50" + (f"&cursor={cursor}" if cursor else "")))
        seen += [c["id"] for c in page["items"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert seen == newest_first

    # CIM keyset paging: the page after the last id received.
    seen = [c["id"] for c in body(api.get("/getContactList?limit=50"))]
    while True:
        page = body(api.get(f"/contacts/loadMore/{seen[-1]}?limit=50"))
        assert api.calls == ["GetItem", "Query", "Query"]
        if not page:
            break
        seen += [c["id"] for c in page]
    assert seen == newest_first
    assert api.get("/contacts/loadMore/" + "C" * 32).status_code == 404
    assert api.get("/contacts/loadMore/nope").status_code == 400

    # A cursor belongs to its listing; limit is capped, not refused.
    cursor = api.get("/getContactList?limit=10").headers["X-Next-Cursor"]
    reply = api.get(f"/contacts/getContactByName/person?cursor={cursor}")
    assert reply.status_code == 400 and "cursor" in body(reply)["Message"]
    assert len(body(api.get("/getContactList?limit=100000"))) == 120


def test_a_contact_listed_before_the_shards_is_listed_until_the_upgrade_moves_it(api, table_items):
    """A table written before index format 5 lists every contact under one
    key. The list reads that key too until the format job has moved each
    contact to its shard, then only the shards; each contact once, newest first."""
    from chalicelib.core.settings import get_settings
    from chalicelib.services.schema import schema
    from chalicelib.store import aws as store_aws
    from chalicelib.store import schema as schema_store

    old = create(api, {"first_name": "Olde", "phone1": "+1 415 555 1200"})
    new = [create(api, {"first_name": f"Newer{i}", "phone1": f"+1 415 555 {1201 + i}"}) for i in range(3)]
    db, table = store_aws.dynamodb(), get_settings().table_name
    db.update_item(TableName=table, Key={"PK": {"S": f"CONTACT#{old['id']}"}, "SK": {"S": "CONTACT"}},
                   UpdateExpression="SET GSI1PK = :one REMOVE index_format",
                   ExpressionAttributeValues={":one": {"S": "CONTACTS"}})  # as format 4 wrote it
    schema_store.set_index_format(4)
    newest_first = [c["id"] for c in reversed([old, *new])]
    pages = [body(api.get("/getContactList?limit=2")), None]
    assert api.calls == ["GetItem", "Query", "Query", "Query"]  # the format (not reached), two shards and the old key
    cursor = api.get("/getContactList?limit=2").headers["X-Next-Cursor"]
    pages[1] = body(api.get(f"/getContactList?limit=2&cursor={cursor}"))
    assert [c["id"] for page in pages for c in page] == newest_first

    job = schema.reindex_for_the_index_format()
    assert job is not None and schema.run_job(job.id).changed == 1  # the old one only
    listed = {i["GSI1PK"]["S"] for i in table_items() if i.get("entity", {}).get("S") == "contact"}
    assert listed <= {"CONTACTS#0", "CONTACTS#1"}
    assert [c["id"] for c in body(api.get("/getContactList?limit=10"))] == newest_first
    assert api.calls == ["GetItem", "Query", "Query"]  # reached: the shards alone, for good


def test_name_search_pages_through_many_matches(api):
    ids = {create(api, {"first_name": f"Maria{i}", "last_name": "Virtanen"})["id"] for i in range(12)}
    seen, cursor = [], None
    while True:
        reply = api.get("/contacts/getContactByName/vir%20mar?limit=5" + (f"&cursor={cursor}" if cursor else ""))
        seen += [c["id"] for c in body(reply)]
        cursor = reply.headers.get("X-Next-Cursor")
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)


def test_a_two_word_name_search_filters_in_the_query_and_fills_its_first_page(api):
    """Sixty people called Pekka, one of them a Virtanen: "pekka virt" finds
    him on the first page reading his entry alone (the pair "pekka" +
    "virt…"), then the names where "pekka" only begins a word (none here:
    the range of "pekka…" + "vir…" beginnings), then long names (none):
    no Pekka is read and no contact read after. Moving past the exact
    matches reads the table's index format once a container."""
    for i in range(60):
        create(api, {"first_name": "Pekka", "last_name": f"Korhonen{i:02d}"})
    wanted = create(api, {"first_name": "Pekka", "last_name": "Virtanen"})
    assert [c["id"] for c in body(api.get("/contacts/getContactByName/pekka%20virt?limit=5"))] == [wanted["id"]]
    assert api.calls == ["Query", "GetItem", "Query", "Query"]
    reply = api.get("/contacts/getContactByName/pekka%20virt?limit=5")
    assert [c["id"] for c in body(reply)] == [wanted["id"]]
    assert api.calls == ["Query", "Query", "Query"] and api.read_units <= 1.5  # half a unit each, the least a Query costs
    assert "X-Next-Cursor" not in reply.headers  # every Pekka was read: nothing more to page through
    assert [c["id"] for c in body(api.get("/contacts/getContactByName/virt%20pek"))] == [wanted["id"]]
    # Each query word must start a different word of the name.
    assert body(api.get("/contacts/getContactByName/pekka%20pek")) == []


def test_a_json_body_is_read_whatever_a_curl_style_client_labels_it(api):
    for media in ("application/x-www-form-urlencoded", "text/plain"):  # `curl -d` sends the first
        reply = api.post("/contacts/bulk", {"contacts": [{"first_name": "Cu"}]}, headers={"Content-Type": media})
        assert reply.status_code == 200 and body(reply)["created"] == 1, (media, reply.body)
    form = api.request("POST", "/saveContact", raw="first_name=Cu", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400 and "Content-Type: application/json" in body(form)["Message"]
    other = api.request("POST", "/saveContact", raw="{}", headers={"Content-Type": "application/xml"})
    assert other.status_code == 415


def test_written_urls_follow_the_host_and_stage_the_request_came_through(api):
    from types import SimpleNamespace

    from chalicelib.api.http import request_base

    # API Gateway's own host: the stage is part of the path (requestContext.stage, as API Gateway sends it).
    gateway = "abc123.execute-api.eu-west-1.amazonaws.com"
    seen = SimpleNamespace(headers={"host": gateway}, context={"stage": "api"})
    assert request_base(seen) == f"https://{gateway}/api"
    # A custom domain maps the stage to its root; the scheme comes from the proxy in front.
    custom = api.post("/contacts", {"first_name": "Gwen"}, headers={"Host": "cim.example.com",
                                                                     "X-Forwarded-Proto": "https"})
    assert custom.headers["Location"] == f"https://cim.example.com/contacts/{body(custom)['id']}"


def test_an_option_in_another_case_is_stored_in_the_schemas_spelling(api):
    api.post("/saveSchema", {"label": "Tier", "key": "tier", "type": "text", "options": ["gold", "Platinum"]})
    api.post("/saveSchema", {"label": "Tags", "key": "tags", "type": "list", "options": ["vip", "B2B"]})
    made = create(api, {"first_name": "Ann", "tier": " GOLD ", "tags": ["VIP", "b2b"]})
    assert (made["tier"], made["tags"]) == ("gold", ["vip", "B2B"])
    wrong = api.post("/saveContact", {"first_name": "Bo", "tier": "bronze"})
    assert wrong.status_code == 400 and "'bronze' is not one of gold, Platinum" in body(wrong)["Message"]


def test_a_filtered_search_fills_its_page_before_it_answers(api):
    """Eight Annas of tier silver and three of tier gold (not a searchable
    attribute: a filter on the name index): ``name=anna&tier=gold`` reads the
    index on (only what is still missing each time, at most four reads)
    instead of answering a short or empty page with a cursor."""
    add_attributes(api, tier="text")
    for i in range(8):
        create(api, {"first_name": "Anna", "last_name": f"Muu{i}", "tier": "silver"})
    gold = {create(api, {"first_name": "Anna", "last_name": f"Kulta{i}", "tier": "gold"})["id"] for i in range(3)}
    reply = api.get("/contacts?name=anna&tier=gold&limit=3")
    found = body(reply)
    assert len(api.calls) <= 2 * 4, api.calls
    # Full, or every Anna read (no cursor), or stopped at the cap (four reads).
    assert len(found["items"]) == 3 or found["cursor"] is None or api.calls.count("Query") == 4
    seen, cursor = [c["id"] for c in found["items"]], found["cursor"]
    while cursor:
        page = body(api.get(f"/contacts?name=anna&tier=gold&limit=3&cursor={cursor}"))
        assert len(page["items"]) == 3 or page["cursor"] is None or api.calls.count("Query") == 4
        seen += [c["id"] for c in page["items"]]
        cursor = page["cursor"]
    assert sorted(seen) == sorted(gold)  # none skipped, none repeated
    # A page that must read more than once does so: the first read of 3 Annas cannot hold all 3 golds
    # unless they sort first; either way the answer is the same 3.
