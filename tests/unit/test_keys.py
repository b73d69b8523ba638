from chalicelib.core.ids import is_id, new_ordered_id
from chalicelib.store.entities.audit import AuditItem
from chalicelib.store.entities.contacts import ContactItem
from chalicelib.store.entities.search import IndexItem, NameItem
from chalicelib.store.table import table_definition


def test_contact_keys():
    assert ContactItem.keys("AB" * 16) == {"PK": f"CONTACT#{'AB' * 16}", "SK": "CONTACT"}
    assert ContactItem.listing("2026-01-01T00:00:00.000Z", "X") == {
        "GSI1PK": "CONTACTS#1", "GSI1SK": "2026-01-01T00:00:00.000Z#X"}  # its shard, by its id
    assert {ContactItem.listing("t", f"C{n}")["GSI1PK"] for n in range(20)} == {"CONTACTS#0", "CONTACTS#1"}
    assert ContactItem.listing_pks(unsharded=True) == ["CONTACTS#0", "CONTACTS#1", "CONTACTS"]


def test_index_keys():
    assert IndexItem.keys("phone", "+14155550100", "ID") == {"PK": "IDX#phone#+14155550100", "SK": "CONTACT#ID"}
    assert NameItem.keys("anneli", "ID") == {"PK": "NAME#a", "SK": "anneli#ID"}
    # Any prefix of a word lives in the same partition as the word.
    assert NameItem.pk_of("an") == NameItem.keys("anneli", "ID")["PK"]


def test_ids():
    assert is_id("0123456789ABCDEF0123456789ABCDEF")
    assert not is_id("0123456789abcdef0123456789abcdef")
    assert not is_id("../etc")


def test_ordered_ids_sort_in_the_order_they_were_made_even_within_a_millisecond(monkeypatch):
    import time

    monkeypatch.setattr(time, "time_ns", lambda: 1_796_300_000_000_000_000)  # a frozen clock: one millisecond
    made = [new_ordered_id() for _ in range(50)]
    assert all(is_id(i) for i in made) and made == sorted(made) and len(set(made)) == 50
    monkeypatch.setattr(time, "time_ns", lambda: 1_796_299_999_000_000_000)  # the clock stepped back a second
    assert new_ordered_id() > made[-1]


def test_two_changes_in_one_millisecond_keep_their_order_in_the_trail(monkeypatch):
    from chalicelib.services.privacy import audit

    monkeypatch.setattr(audit, "now_iso", lambda: "2026-12-03T10:00:00.000Z")
    written = [audit.entry(action, "C" * 32, None, None, fields=[]) for _ in range(10)
               for action in ("linked", "unlinked")]
    newest_first = sorted(written, key=lambda e: AuditItem.keys(e["contact_id"], e["at"], e["id"])["SK"],
                          reverse=True)
    assert newest_first == written[::-1]  # random ids would shuffle them: once in a million in this order


def test_every_key_attribute_the_table_declares_is_a_string_key():
    definition = table_definition("t")
    declared = {a["AttributeName"] for a in definition["AttributeDefinitions"]}
    used = {k["AttributeName"] for k in definition["KeySchema"]}
    for index in definition["GlobalSecondaryIndexes"]:
        used |= {k["AttributeName"] for k in index["KeySchema"]}
    assert declared == used


def test_a_kind_reads_its_items_into_its_record_and_a_key_is_told_in_a_fresh_process():
    import subprocess
    import sys

    from chalicelib.models.privacy import Suppression
    from chalicelib.store.entities.jobs import SchemaJobItem, StoredJob
    from chalicelib.store.entities.privacy import SuppressedItem

    item = SchemaJobItem.keys("J1") | {"entity": "schema_job", "id": "J1", "reason": "r", "state": "done",
                                       "started_at": "t", "updated_at": "t", "written_by_a_newer_version": 1}
    assert SchemaJobItem.from_item(item) == StoredJob(id="J1", reason="r", state="done", started_at="t", updated_at="t")
    listed = SuppressedItem.keys("d" * 64) | {"kind": "phone", "hash": "d" * 64, "since": "2026-12-03T00:00:00Z",
                                              "erasure_id": "E1"}
    assert isinstance(SuppressedItem.from_item(listed), Suppression)
    # Nothing but the package is imported: a key no loaded kind owns loads the others.
    told = subprocess.run([sys.executable, "-c", "from chalicelib.store import entities; "
                           "print(entities.entity_of('NOTES#C1', '2026#N1'), entities.entity_of('X#1', 'Y'))"],
                          capture_output=True, text=True, check=True)
    assert told.stdout.split() == ["contact_note", "unknown"]
