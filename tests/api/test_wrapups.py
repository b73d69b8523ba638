"""Wrap-up codes: an administrator's list, agents closing calls with them,
shown on the call and recorded in the linked contact's trail."""
from __future__ import annotations

import pytest

from tests.api.conftest import body

CODES = {"codes": [{"code": "BILLING", "label": "Billing question"}, {"code": "CANCEL", "label": "Wants to cancel"}]}


@pytest.fixture
def coded(api):
    assert api.put("/wrapup-codes", CODES).status_code == 200
    api.post("/interactions/updateOrSaveInteractionTree/CALL-W1",
             {"interaction": {"leg_id": "agent", "type": "voice"}, "ani": "+1 415 555 0101"})


def test_codes_are_set_by_an_administrator_and_read_by_agents(api, coded):
    assert body(api.get("/wrapup-codes")) == CODES
    agent = body(api.post("/keys", {"name": "desk", "role": "agent"}))["key"]
    assert api.as_key(agent).get("/wrapup-codes").status_code == 200
    assert api.as_key(agent).put("/wrapup-codes", {"codes": []}).status_code == 403


@pytest.mark.parametrize("sent, words", [
    ({"codes": [{"code": "A B", "label": "x"}]}, "code"),
    ({"codes": [{"code": "A", "label": ""}]}, "label"),
    ({"codes": [{"code": "A", "label": "x"}, {"code": "A", "label": "y"}]}, "twice"),
    ({"codes": [{"code": "A", "label": "x", "colour": "red"}]}, "colour"),
    ({"codes": "BILLING"}, "codes"),
])
def test_a_bad_list_is_a_400_and_changes_nothing(api, coded, sent, words):
    reply = api.put("/wrapup-codes", sent)
    assert reply.status_code == 400 and words in body(reply)["Message"], reply.body
    assert body(api.get("/wrapup-codes")) == CODES


def test_an_agent_closes_a_call_and_the_tree_and_trail_show_it(api, coded):
    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "+1 415 555 0101"}))
    api.put("/interactions/CALL-W1/contact", {"contact_id": ann["id"]})
    made = api.post("/interactions/CALL-W1/wrapup", {"code": "BILLING", "note": "Explained the late fee"})
    assert made.status_code == 201, made.body
    assert body(made)["label"] == "Billing question" and body(made)["author"] == "bootstrap-admin"
    api.post("/interactions/CALL-W1/wrapup", {"code": "CANCEL"})
    tree = body(api.get("/interactions/CALL-W1"))
    assert [w["code"] for w in tree["wrapups"]] == ["BILLING", "CANCEL"]
    trail = body(api.get(f"/contacts/{ann['id']}/changes"))["items"]
    assert trail[0]["action"] == "wrapped_up" and trail[0]["call_Id"] == "CALL-W1"
    assert "late fee" not in str(trail)
    # Renaming a code later does not rewrite the calls closed with it.
    api.put("/wrapup-codes", {"codes": [{"code": "BILLING", "label": "Invoices"}]})
    assert body(api.get("/interactions/CALL-W1"))["wrapups"][0]["label"] == "Billing question"


def test_an_unknown_code_or_call_is_refused_clearly_and_nothing_changes(api, coded):
    unknown = api.post("/interactions/CALL-W1/wrapup", {"code": "NOPE"})
    assert unknown.status_code == 400 and "BILLING" in body(unknown)["Message"]
    assert api.post("/interactions/NO-SUCH/wrapup", {"code": "BILLING"}).status_code == 404
    assert api.post("/interactions/CALL-W1/wrapup", {"code": "BILLING", "note": 5}).status_code == 400
    assert body(api.get("/interactions/CALL-W1"))["wrapups"] == []


def test_without_codes_set_the_answer_says_who_sets_them(api):
    api.post("/interactions/updateOrSaveInteractionTree/CALL-W2", {"interaction": {"leg_id": "ivr"}})
    refused = api.post("/interactions/CALL-W2/wrapup", {"code": "BILLING"})
    assert refused.status_code == 400 and "PUT /wrapup-codes" in body(refused)["Message"]
    assert body(api.get("/wrapup-codes")) == {"codes": []}
