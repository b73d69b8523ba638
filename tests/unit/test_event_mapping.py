"""The stream mapping: an item's old and new images -> the outbound events
(type, lane, sequence, thin data), for every item kind the table holds."""
from __future__ import annotations

import pytest

from chalicelib.domain.events import EVENT_TYPES, changes, subscribed, valid_pattern
from chalicelib.store import entities

ANN = {"id": "C1", "first_name": "Ann", "last_name": "Lee", "phone1": "+14155550100", "normalized": {"x": 1},
       "created_at": "2026-12-01T00:00:00.000Z", "updated_at": "2026-12-01T00:00:00.000Z"}


def contact(version: int, **doc) -> dict:
    return {"PK": "CONTACT#C1", "SK": "CONTACT", "entity": "contact", "version": version, "doc": ANN | doc}


def kinds(found) -> list[tuple[str, str, int, dict]]:
    return [(c.type, c.lane, c.sequence, c.data) for c in found]


def test_a_contact_created_names_its_fields_never_their_values():
    assert kinds(changes("contact", None, contact(1))) == [
        ("contact.created", "C1", 1, {"id": "C1", "version": 1, "fields": ["first_name", "last_name", "phone1"]})]


def test_an_update_names_only_what_changed_and_bookkeeping_alone_is_no_update():
    old, new = contact(1), contact(2, phone2="+14155550101", updated_at="2026-12-02T00:00:00.000Z")
    assert kinds(changes("contact", old, new)) == [
        ("contact.updated", "C1", 2, {"id": "C1", "version": 2, "changed": ["phone2"]})]
    assert changes("contact", old, contact(2, updated_at="2026-12-03T00:00:00.000Z", normalized={"y": 2})) == []
    removed = changes("contact", contact(3, phone2="+14155550101"), contact(4))
    assert kinds(removed)[0][3]["changed"] == ["phone2"]


def test_a_consent_change_is_its_own_event_with_the_usages_and_grants():
    granted = {"recording": {"granted": True, "usage": "recording"}}
    found = changes("contact", contact(1), contact(2, consents=granted))
    assert kinds(found) == [("consent.changed", "C1", 2,
                             {"contact_id": "C1", "version": 2, "consents": {"recording": True}})]
    withdrawn = changes("contact", contact(2, consents=granted), contact(3, consents={}))
    assert kinds(withdrawn)[0][3]["consents"] == {"recording": None}


def test_a_deleted_contact_carries_its_id_and_the_next_sequence():
    assert kinds(changes("contact", contact(3), None)) == [
        ("contact.deleted", "C1", 4, {"id": "C1", "version": 4})]


def test_a_call_saved_is_counted_by_legs_and_laned_with_its_contact():
    old = {"call_Id": "K1", "contact_id": "C1", "version": 1, "legs": {"a": {}}}
    new = {"call_Id": "K1", "contact_id": "C1", "version": 2, "legs": {"a": {}, "b": {}}, "ani": "+14155550100"}
    assert kinds(changes("call", old, new)) == [("interaction.saved", "C1", 2, {
        "call_Id": "K1", "contact_id": "C1", "version": 2, "legs": 2, "new_legs": 1, "first": False})]
    alone = changes("call", None, {"call_Id": "K2", "version": 1, "legs": {"a": {}}})
    assert alone[0].lane == "call:K2" and alone[0].data["first"] is True
    assert changes("call", old, None) == []  # a call removed by retention or erasure is not "saved"


def test_an_attachment_is_news_once_it_is_stored():
    pending = {"id": "F1", "status": "pending", "contact_id": "C1", "fileName": "invoice.pdf"}
    stored = pending | {"status": "stored", "size": 10, "mimeType": "application/pdf"}
    assert changes("attachment", None, pending) == []
    assert kinds(changes("attachment", pending, stored)) == [("attachment.stored", "C1", 1, {
        "id": "F1", "contact_id": "C1", "call_Id": None, "mimeType": "application/pdf", "size": 10})]
    assert changes("attachment", stored, stored | {"status": "revoked"}) == []


def test_an_erasure_leaves_as_its_id_once_done():
    running = {"id": "E1", "state": "running", "counts": {"contacts": 1}}
    assert changes("erasure", None, running) == []
    assert kinds(changes("erasure", running, running | {"state": "done"})) == [
        ("contact.erased", "erasure:E1", 1, {"erasure_id": "E1"})]
    assert changes("erasure", running | {"state": "done"}, running | {"state": "done", "x": 1}) == []


@pytest.mark.parametrize("entity", sorted((set(entities.every_kind()) | {"unknown"})
                                          - {"contact", "call", "attachment", "erasure"}))
def test_every_other_item_kind_makes_no_event(entity):
    item = {"PK": "X", "SK": "Y", "entity": entity, "doc": ANN, "version": 2, "state": "done", "status": "stored",
            "id": "I1", "call_Id": "K1"}
    assert changes(entity, None, item) == changes(entity, item, None) == changes(entity, item, item) == []


def test_patterns_take_types_areas_and_everything():
    assert subscribed(["contact.*"], "contact.erased") and not subscribed(["contact.*"], "consent.changed")
    assert subscribed(["*"], "attachment.stored") and subscribed(["interaction.saved"], "interaction.saved")
    assert all(valid_pattern(t) for t in EVENT_TYPES)
    assert not valid_pattern("contact.exploded") and not valid_pattern("nothing.*") and valid_pattern("consent.*")


def test_a_merge_and_its_undo_are_told_by_the_merged_contacts_redirect():
    anne = {"doc": {"id": "M1", "first_name": "Anne"}, "version": 3}
    redirect = {"merged_into": "S1", "merge_id": "G1", "version": 4}
    merged = changes("contact", anne, redirect)
    assert [(c.type, c.lane, c.sequence, c.data) for c in merged] == [
        ("contact.merged", "M1", 4, {"id": "M1", "merged_into": "S1", "merge_id": "G1"})]
    undone = changes("contact", redirect, anne)  # back at her own version, after the merge along the lane
    assert [(c.type, c.lane, c.sequence, c.data) for c in undone] == [
        ("contact.unmerged", "M1", 5, {"id": "M1", "version": 3, "merge_id": "G1"})]
    assert changes("contact", redirect, None) == []  # an erasure's own event tells that
