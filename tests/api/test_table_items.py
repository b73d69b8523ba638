"""Every item the service writes says what it is (``entity``), so a table
scan, an export or a stream consumer knows what it reads; and no reader
hands the attribute on to a client."""
from __future__ import annotations

import json

from chalicelib.store import entities
from chalicelib.store.codec import deserialize
from chalicelib.store.entities import ENTITY
from tests.api.conftest import add_attributes, body, erase
from tests.api.test_rci_sync import SECRET, push, record


def test_every_item_written_names_its_entity(api, table_items, monkeypatch):
    from chalicelib.core.settings import get_settings

    monkeypatch.setenv("CIM_RCI_WEBHOOK_SECRET", SECRET)
    get_settings.cache_clear()
    add_attributes(api, account={"type": "string", "unique": True, "searchable": True})
    api.post("/mapping", {"callVar": "Account", "key": "account", "varNumber": 3})
    ann = body(api.post("/saveContact", {"first_name": "Ann", "last_name": "Lee", "phone1": "+1 415 555 0101",
                                         "email": "ann@example.com", "account": "A-1"},
                        headers={"Idempotency-Key": "create-ann-1"}))
    api.put(f"/contacts/{ann['id']}", {"last_name": "Lee-Smith", "version": ann["version"]})
    api.post("/interactions/updateOrSaveInteractionTree/CALL-1",
             {"interaction": {"leg_id": "ivr", "type": "voice"}, "ani": "+1 415 555 0101"})
    api.post("/s3attachments", {"fileName": "note.pdf", "mimeType": "application/pdf", "size": 10,
                                "contact_id": ann["id"]})
    api.post("/keys", {"name": "desk", "role": "agent"})
    push(api, [record(1, source="+1 415 555 0101")])
    bob = body(api.post("/saveContact", {"first_name": "Bob", "phone1": "+1 415 555 0102"}))
    api.post("/privacy/access-requests", {"contact_id": bob["id"]})
    assert erase(api, {"phone": "+1 415 555 0102"})["state"] == "done"

    items = [deserialize(i) for i in table_items()]
    unnamed = [(i["PK"], i["SK"]) for i in items if i.get(ENTITY) in (None, "unknown")]
    assert unnamed == []
    wrong = [(i["PK"], i["SK"], i[ENTITY]) for i in items if i[ENTITY] != entities.entity_of(i["PK"], i["SK"])]
    assert wrong == []
    assert {"contact", "index_entry", "name_entry", "unique_claim", "attribute", "attribute_key_claim",
            "mapping_rule", "call", "history_entry", "calls_from_entry", "caller_seen", "attachment",
            "short_link", "contact_attachment", "api_key", "audit", "suppression", "suppression_listing",
            "erasure", "idempotency"} <= {i[ENTITY] for i in items}

    # Readers never hand the attribute on.
    for path in (f"/contacts/{ann['id']}", "/mapping", "/schema", "/interactions/CALL-1", "/keys",
                 f"/contacts/{ann['id']}/changes", "/privacy/erasures", "/privacy/suppressions"):
        reply = api.get(path)
        assert reply.status_code == 200, (path, reply.body)
        assert '"entity"' not in json.dumps(body(reply)), path
