from chalicelib.core.ids import is_id
from chalicelib.store import keys
from chalicelib.store.table import table_definition


def test_contact_keys():
    assert keys.contact("AB" * 16) == {"PK": f"CONTACT#{'AB' * 16}", "SK": "CONTACT"}
    assert keys.contact_list_entry("2026-01-01T00:00:00.000Z", "X") == {
        "GSI1PK": "CONTACTS", "GSI1SK": "2026-01-01T00:00:00.000Z#X"}


def test_index_keys():
    assert keys.exact_index("phone", "+14155550100", "ID") == {"PK": "IDX#phone#+14155550100", "SK": "CONTACT#ID"}
    assert keys.name_index("anneli", "ID") == {"PK": "NAME#a", "SK": "anneli#ID"}
    # Any prefix of a word lives in the same partition as the word.
    assert keys.name_index_pk("an") == keys.name_index("anneli", "ID")["PK"]


def test_ids():
    assert is_id("0123456789ABCDEF0123456789ABCDEF")
    assert not is_id("0123456789abcdef0123456789abcdef")
    assert not is_id("../etc")


def test_every_key_attribute_the_table_declares_is_a_string_key():
    definition = table_definition("t")
    declared = {a["AttributeName"] for a in definition["AttributeDefinitions"]}
    used = {k["AttributeName"] for k in definition["KeySchema"]}
    for index in definition["GlobalSecondaryIndexes"]:
        used |= {k["AttributeName"] for k in index["KeySchema"]}
    assert declared == used
