"""Interaction trees as platforms report them and agents read them."""
from __future__ import annotations

import random

import pytest

from tests.api.conftest import body

CALL = "CALL-2026-0001"
IVR = {"leg_id": "L1", "type": "voice", "interaction_type": "IVR", "start_time": "2026-11-22T10:00:00Z",
       "call_duration": "40", "ivr_trail": ["main", "billing", "agent"]}
AGENT1 = {"leg_id": "L2", "type": "voice", "interaction_type": "inbound", "agentId": "agent-7",
          "start_time": "2026-11-22T12:00:45+02:00", "call_duration": 120, "team_name": "Billing",
          "csq": "billing-fi", "call_disposition": "transferred"}
AGENT2 = {"leg_id": "L3", "type": "voice", "interaction_type": "transfer", "agentId": "agent-9",
          "start_time": "2026-11-22T10:02:50Z", "call_duration": 300, "team_name": "Retention"}
WRAP = {"leg_id": "L3", "wrap_up": "Resolved", "recording_id": "rec-42"}


def post_leg(api, leg, call=CALL, ani="+1 415 555 0100", **extra):
    payload = {"interaction": leg, "call_Id": call, "ani": ani} | extra
    return api.post(f"/interactions/updateOrSaveInteractionTree/{call}", payload)


def contact(api, **fields):
    reply = api.post("/saveContact", fields)
    assert reply.status_code == 200, reply.body
    return body(reply)


def history(api, contact_id, query=""):
    reply = api.get(f"/interactions/loadInteractions/{contact_id}{query}")
    assert reply.status_code == 200, reply.body
    return body(reply)


def test_a_leg_is_stored_and_returned_in_the_documented_shape(api):
    ann = contact(api, first_name="Ann", phone1="415-555-0100")
    reply = post_leg(api, IVR)
    assert reply.status_code == 200 and reply.headers["X-CIM-Outcome"] == "stored"
    leg = body(reply)
    assert leg["start_time"] == "2026-11-22T10:00:00.000Z" and leg["call_duration"] == 40
    assert leg["ivr_trail"] == ["main", "billing", "agent"] and leg["interaction_type"] == "IVR"
    calls = history(api, ann["id"])
    assert len(calls) == 1
    tree = calls[0]
    assert tree["call_Id"] == CALL and tree["phone_number"] == "+1 415 555 0100"
    assert [l["leg_id"] for l in tree["interactions"]] == ["L1"]
    assert tree["start_time"] == "2026-11-22T10:00:00.000Z" and tree["end_time"] == "2026-11-22T10:00:40.000Z"


def test_scrambled_and_repeated_legs_give_one_clean_tree(api):
    ann = contact(api, first_name="Ann", phone1="415-555-0100")
    legs = [IVR, AGENT1, AGENT2, WRAP]
    trees = []
    for run, order in enumerate([legs, list(reversed(legs)), random.Random(7).sample(legs, 4)]):
        call = f"CALL-SCRAMBLE-{run}"
        for leg in order + order:  # each posted twice
            assert post_leg(api, leg, call=call).status_code == 200
        trees.append(body(api.get(f"/interactions/{call}")))
    shapes = [[(l["leg_id"], l.get("agentId"), l.get("wrap_up")) for l in t["interactions"]] for t in trees]
    assert shapes[0] == shapes[1] == shapes[2] == [
        ("L1", None, None), ("L2", "agent-7", None), ("L3", "agent-9", "Resolved")]
    transferred = trees[0]["interactions"][2]
    assert transferred["recording_id"] == "rec-42" and transferred["team_name"] == "Retention"
    assert trees[0]["interactions"][1]["start_time"] == "2026-11-22T10:00:45.000Z"  # stored in UTC
    assert len(history(api, ann["id"])) == 3


def test_a_replay_changes_nothing(api):
    post_leg(api, AGENT1)
    before = body(api.get(f"/interactions/{CALL}"))
    replay = post_leg(api, AGENT1)
    assert replay.headers["X-CIM-Outcome"] == "unchanged"
    assert api.calls == ["GetItem"]  # read, compared, nothing written
    assert body(api.get(f"/interactions/{CALL}")) == before


def test_legs_without_ids_are_identified_by_what_they_are(api):
    leg = {"type": "voice", "interaction_type": "inbound", "agentId": "a1", "start_time": "2026-11-22T10:00:00Z"}
    first = body(post_leg(api, leg))
    late = post_leg(api, leg | {"call_duration": 65, "start_time": "2026-11-22T12:00:00+02:00"})
    assert late.headers["X-CIM-Outcome"] == "updated" and body(late)["leg_id"] == first["leg_id"]
    tree = body(api.get(f"/interactions/{CALL}"))
    assert len(tree["interactions"]) == 1 and tree["interactions"][0]["call_duration"] == 65


def test_a_late_wrap_up_lands_on_its_leg_and_every_wrap_up_is_kept(api):
    post_leg(api, AGENT2)
    post_leg(api, {"leg_id": "L3", "wrap_up": "Callback promised"})
    post_leg(api, {"leg_id": "L3", "wrap_up": "Resolved", "call_duration": "310"})
    post_leg(api, {"leg_id": "L3", "wrap_up": "Resolved"})
    [leg] = body(api.get(f"/interactions/{CALL}"))["interactions"]
    assert leg["wrap_up"] == "Resolved" and leg["wrap_ups"] == ["Callback promised", "Resolved"]
    assert leg["call_duration"] == 310 and leg["agentId"] == "agent-9"


def test_saving_a_leg_is_one_read_and_one_transaction(api):
    contact(api, first_name="Ann", phone1="415-555-0100")
    post_leg(api, IVR)
    # First leg of the container's day: the tree; whose number is it; mark that
    # the day has calls (once a day a container); mark that the number has
    # called; the transaction (which also checks, as a guard, that the
    # number's owner was not erased).
    assert api.calls == ["GetItem", "Query", "PutItem", "PutItem", "TransactWriteItems"]
    post_leg(api, AGENT1)
    assert api.calls == ["GetItem", "TransactWriteItems"]
    post_leg(api, IVR | {"leg_id": "L9"}, call="ANOTHER-CALL")  # the day is marked already
    assert api.calls == ["GetItem", "Query", "PutItem", "TransactWriteItems"]


def test_a_call_saved_before_its_contact_exists_appears_once_the_contact_does(api):
    post_leg(api, IVR, ani="650 253 0000")
    post_leg(api, AGENT1, ani="650 253 0000")
    other = contact(api, first_name="Other", phone1="415-555-0199")
    late = contact(api, first_name="Late", phone1="+1 650 253 0000", email="late@example.com")
    # Which of its number and address are suppressed, have called or are
    # held by others: one BatchGetItem; the contact's transaction; then only
    # the number that has called is read (Query) and its call re-shown.
    assert api.calls == ["BatchGetItem", "TransactWriteItems", "Query", "GetItem", "TransactWriteItems"]
    calls = history(api, late["id"])
    assert [c["call_Id"] for c in calls] == [CALL] and len(calls[0]["interactions"]) == 2
    assert history(api, other["id"]) == []
    moved = api.put(f"/contacts/{other['id']}", {"phone2": "6502530000"})
    assert moved.status_code == 200
    assert [c["call_Id"] for c in history(api, other["id"])] == [CALL]
    api.put(f"/contacts/{other['id']}", {"phone2": None})
    assert history(api, other["id"]) == []


def test_a_shared_family_number_shows_in_both_histories_until_linked(api):
    parent = contact(api, first_name="Parent", phone1="415-555-0177")
    child = contact(api, first_name="Child", phone2="+14155550177")
    post_leg(api, IVR, ani="4155550177")
    assert len(history(api, parent["id"])) == 1 and len(history(api, child["id"])) == 1
    linked = api.put(f"/interactions/{CALL}/contact", {"contact_id": child["id"]})
    assert linked.status_code == 200 and body(linked)["contact_id"] == child["id"]
    assert history(api, parent["id"]) == [] and len(history(api, child["id"])) == 1
    # Later legs follow the link.
    post_leg(api, AGENT1, ani="4155550177")
    assert history(api, parent["id"]) == [] and len(history(api, child["id"])[0]["interactions"]) == 2
    unlinked = api.delete(f"/interactions/{CALL}/contact")
    assert unlinked.status_code == 200 and body(unlinked)["contact_id"] is None
    assert len(history(api, parent["id"])) == 1 and len(history(api, child["id"])) == 1


def test_an_explicit_contact_id_links_at_once(api):
    parent = contact(api, first_name="Parent", phone1="415-555-0177")
    child = contact(api, first_name="Child", phone1="415-555-0177")
    post_leg(api, IVR, ani="4155550177", contact_id=child["id"])
    assert history(api, parent["id"]) == [] and len(history(api, child["id"])) == 1


def test_deleting_a_contact_never_deletes_calls(api):
    ann = contact(api, first_name="Ann", phone1="415-555-0100")
    post_leg(api, IVR)
    api.put(f"/interactions/{CALL}/contact", {"contact_id": ann["id"]})
    assert api.delete(f"/contacts/{ann['id']}").status_code == 200
    tree = api.get(f"/interactions/{CALL}")
    assert tree.status_code == 200 and len(body(tree)["interactions"]) == 1


def test_paging_a_history_of_120_calls_newest_first(api):
    ann = contact(api, first_name="Ann", phone1="415-555-0100")
    for i in range(120):
        minute = f"2026-11-{1 + i // 60:02d}T10:{i % 60:02d}:00Z"
        post_leg(api, {"leg_id": "L", "type": "voice", "start_time": minute}, call=f"C{i:03d}")
    seen, cursor = [], None
    while True:
        reply = api.get(f"/interactions/loadInteractions/{ann['id']}?limit=50" + (f"&cursor={cursor}" if cursor else ""))
        # the contact (who was merged into it), its history entries, the trees
        assert api.calls == ["GetItem", "Query", "BatchGetItem"]
        seen += [c["call_Id"] for c in body(reply)]
        cursor = reply.headers.get("X-Next-Cursor")
        if not cursor:
            break
    assert seen == [f"C{i:03d}" for i in reversed(range(120))]
    page = body(api.get(f"/contacts/{ann['id']}/interactions?limit=7"))
    assert [c["call_Id"] for c in page["items"]] == seen[:7] and page["cursor"]


@pytest.mark.parametrize("payload, words", [
    ({"interaction": {}, "call_Id": "OTHER"}, "call_Id"),
    ({"call_Id": CALL}, "interaction"),
    ({"interaction": {"start_time": "yesterday"}}, "start_time"),
    ({"interaction": {"call_duration": "long"}}, "call_duration"),
    ({"interaction": {"call_duration": -5}}, "call_duration"),
    ({"interaction": {"agentId": 7}}, "agentId"),
    ({"interaction": {"ivr_trail": {"a": 1}}}, "ivr_trail"),
    ({"interaction": {}, "ani": 4155550100}, "ani"),
    ({"interaction": {}, "contact_id": "nope"}, "contact_id"),
    ({"interaction": {}, "surprise": 1}, "surprise"),
])
def test_bad_legs_are_refused_and_store_nothing(api, payload, words):
    reply = api.post(f"/interactions/updateOrSaveInteractionTree/{CALL}", payload)
    assert reply.status_code == 400 and words in body(reply)["Message"], reply.body
    assert api.get(f"/interactions/{CALL}").status_code == 404


def test_unknown_and_malformed_ids(api):
    assert api.get("/interactions/loadInteractions/" + "A" * 32).status_code == 404
    assert api.get("/interactions/loadInteractions/nope").status_code == 400
    assert api.get("/interactions/NOPE-CALL").status_code == 404
    assert api.get("/interactions/bad%20id").status_code == 400
    assert post_leg(api, IVR, call="bad id!").status_code == 400
    assert api.put(f"/interactions/{CALL}/contact", {"contact_id": "A" * 32}).status_code == 404
    post_leg(api, IVR)
    assert api.put(f"/interactions/{CALL}/contact", {"contact_id": "A" * 32}).status_code == 404
    assert api.post("/interactions/updateOrSaveInteractionTree/X", {"interaction": {}},
                    ).status_code == 200  # an empty leg is still a leg


def test_chats_and_emails_find_their_contact_by_address(api):
    ann = contact(api, first_name="Ann", email="ann@example.com")
    post_leg(api, {"leg_id": "E1", "type": "email", "interaction_type": "EMAILIN"}, call="MAIL-1",
             ani="Ann@Example.com")
    assert [c["call_Id"] for c in history(api, ann["id"])] == ["MAIL-1"]


def test_a_history_page_is_read_from_its_entries_and_each_line_follows_its_call(api):
    ann = contact(api, first_name="Ann", phone1="415-555-0100")
    post_leg(api, IVR)
    post_leg(api, AGENT1)
    api.get(f"/contacts/{ann['id']}/history")
    assert api.calls == ["GetItem", "Query"]  # the contact (who was merged into it), its entries: no tree
    api.put("/wrapup-codes", {"codes": [{"code": "BILLING", "label": "Billing question"}]})
    assert api.post(f"/interactions/{CALL}/wrapup", {"code": "BILLING", "note": "late fee"}).status_code == 201
    assert api.post(f"/interactions/{CALL}/notes", {"text": "Call back Monday"}).status_code == 201
    line = body(api.get(f"/contacts/{ann['id']}/history"))["items"][0]
    tree = body(api.get(f"/interactions/{CALL}"))
    assert line == {"call_Id": CALL, "start_time": tree["start_time"], "end_time": tree["end_time"],
                    "channels": ["voice"], "legs": 2, "last_wrapup": "Billing question", "notes": 1, "files": 0,
                    "seconds": 165}  # from 10:00:00Z to the agent leg's end: 12:00:45+02:00 plus 120 s
    assert "late fee" not in str(line) and "4155550100" not in str(line)  # nothing of the caller


def test_a_history_entry_written_before_lines_reads_its_tree(api, table_items):
    ann = contact(api, first_name="Ann", phone1="415-555-0100")
    post_leg(api, IVR)
    fresh = body(api.get(f"/contacts/{ann['id']}/history"))["items"]
    from chalicelib.core.settings import get_settings
    from chalicelib.store import aws

    entry = next(i for i in table_items() if i["PK"]["S"] == f"HIST#{ann['id']}")
    aws.dynamodb().update_item(TableName=get_settings().table_name, Key={"PK": entry["PK"], "SK": entry["SK"]},
                               UpdateExpression="REMOVE summary")
    assert body(api.get(f"/contacts/{ann['id']}/history"))["items"] == fresh
    assert api.calls == ["GetItem", "Query", "BatchGetItem"]
