"""``GET /contacts?updated_since=``: the contacts changed since a time, for a
client that keeps a copy in step. Each contact once, as it is now, the
oldest change first; every door that writes a contact keeps its one
``UPDATED`` entry where its last change is."""
from __future__ import annotations

import time

from chalicelib.core.clock import now_iso
from tests.api.conftest import body, erase


def _save(api, fields):
    reply = api.post("/saveContact", fields)
    assert reply.status_code == 200, reply.body
    return body(reply)


def _changed(api, since: str, limit: int = 25) -> list[dict]:
    """Every page of ``updated_since``, followed to its end."""
    found, cursor = [], None
    for _ in range(50):
        page = body(api.get(f"/contacts?updated_since={since}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")))
        found += page["items"]
        cursor = page["cursor"]
        if not cursor:
            return found
    raise AssertionError("the pages never ended")


def _tick() -> str:
    time.sleep(0.005)  # timestamps are in milliseconds
    moment = now_iso()
    time.sleep(0.005)
    return moment


def test_changed_since_lists_each_contact_once_oldest_change_first_in_pages(api):
    start = _tick()
    ann = _save(api, {"first_name": "Ann", "phone1": "415 555 0100"})
    bo = _save(api, {"first_name": "Bo"})
    cy = _save(api, {"first_name": "Cy"})
    between = _tick()
    assert api.put(f"/contacts/{ann['id']}", {"last_name": "Lee"}).status_code == 200
    listed = _changed(api, start)
    assert [c["id"] for c in listed] == [bo["id"], cy["id"], ann["id"]]  # Ann moved on with her edit
    assert listed[-1]["last_name"] == "Lee"  # as the contact is now
    assert [c["id"] for c in _changed(api, start, limit=1)] == [bo["id"], cy["id"], ann["id"]]
    assert [c["id"] for c in _changed(api, between)] == [ann["id"]]
    assert _changed(api, _tick()) == []
    api.get(f"/contacts?updated_since={start}&limit=25")
    assert api.calls == ["Query"] * 4 + ["BatchGetItem"]  # one month's 4 shards, then the contacts


def test_bad_updated_since_values_are_refused_by_name(api):
    for bad in ("yesterday", "1999-12-31T00:00:00Z", "2999-01-01T00:00:00Z"):
        reply = api.get(f"/contacts?updated_since={bad}")
        assert reply.status_code == 400 and "updated_since" in body(reply)["Message"], (bad, reply.body)
    mixed = api.get("/contacts?updated_since=2026-01-01T00:00:00Z&name=ann")
    assert mixed.status_code == 400 and "alone" in body(mixed)["Message"]
    assert api.get("/contacts?updated_since=2026-01-01T00:00:00Z&cursor=nope").status_code == 400


def _updated_entries_match_the_contacts(table_items) -> int:
    """Each live contact has exactly one entry, at its ``updated_at``; no
    entry names a contact that is gone or a time it has left."""
    items = table_items()
    contacts = {i["PK"]["S"].removeprefix("CONTACT#"): i["doc"]["M"]["updated_at"]["S"]
                for i in items if i["SK"]["S"] == "CONTACT" and "doc" in i}
    entries = [i["SK"]["S"].rpartition("#") for i in items if i["PK"]["S"].startswith("UPDATED#")]
    assert sorted((contact_id, at) for at, _, contact_id in entries) == sorted(contacts.items())
    return len(entries)


def test_every_door_keeps_one_updated_entry_a_contact(api, table_items):
    ann = _save(api, {"first_name": "Ann", "phone1": "415 555 0100", "email": "ann@example.com"})
    anne = _save(api, {"first_name": "Anne", "email": "anne@example.com"})
    bulk = api.post("/contacts/bulk", {"contacts": [{"first_name": f"Bulk{i}"} for i in range(3)]})
    assert body(bulk)["created"] == 3
    assert _updated_entries_match_the_contacts(table_items) == 5
    api.put(f"/contacts/{ann['id']}", {"last_name": "Lee"})
    api.put(f"/contacts/{ann['id']}/consents/recording", {"granted": True})
    assert _updated_entries_match_the_contacts(table_items) == 5
    merged = api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]]})
    assert merged.status_code == 201, merged.body
    assert _updated_entries_match_the_contacts(table_items) == 4  # the merged one is a redirect now
    api.put(f"/contacts/{ann['id']}", {"first_name": "Annie"})  # a change after the merge, before its undo
    assert api.post(f"/merges/{body(merged)['merge_id']}/undo").status_code == 200
    assert _updated_entries_match_the_contacts(table_items) == 5
    undone_since = [c["id"] for c in _changed(api, "2020-01-01T00:00:00Z")]
    assert sorted(undone_since) == sorted(set(undone_since)) and anne["id"] in undone_since
    assert api.delete(f"/contacts/{anne['id']}").status_code == 200
    assert _updated_entries_match_the_contacts(table_items) == 4
    assert erase(api, {"email": "ann@example.com"})["state"] == "done"
    assert _updated_entries_match_the_contacts(table_items) == 3
    assert ann["id"] not in [c["id"] for c in _changed(api, "2020-01-01T00:00:00Z")]


def test_pages_merge_the_months_shards_in_order_without_a_gap_or_a_repeat(api):
    start = _tick()
    made = [_save(api, {"first_name": f"Caller{i}"})["id"] for i in range(9)]
    for contact_id in made[::3]:  # three of them change again, later
        assert api.put(f"/contacts/{contact_id}", {"last_name": "Again"}).status_code == 200
    expected = [c for c in made if c not in made[::3]] + made[::3]
    for limit in (1, 2, 4, 25):
        listed = _changed(api, start, limit=limit)
        assert [c["id"] for c in listed] == expected, limit
        assert [c["updated_at"] for c in listed] == sorted(c["updated_at"] for c in listed)
