"""Attachments: the signed upload policy, every status of a short link."""
from __future__ import annotations

import base64
import json

import pytest

from chalicelib.core.settings import get_settings
from chalicelib.services.calls.attachments import sanitize_file_name
from chalicelib.store import aws
from tests.api.conftest import body

PDF = {"fileName": "../../etc/Invoice 2026.pdf", "mimeType": "application/pdf", "size": 2048}


def create(api, **extra):
    reply = api.post("/s3attachments", PDF | extra)
    assert reply.status_code == 201, reply.body
    return body(reply)


def code_of(made):
    return made["shortUrl"].rsplit("/", 1)[1]


def upload(made, data=None):
    """What the browser's upload does, straight into the (mocked) bucket
    (moto does not enforce the policy: the content is the declared size)."""
    data = data if data is not None else b"%PDF-1.4 " + b"x" * (made["maxBytes"] - 9)
    aws.s3().put_object(Bucket=get_settings().bucket_name, Key=made["upload"]["fields"]["key"], Body=data,
                        ContentType=made["mimeType"])


def test_the_signed_policy_pins_key_type_and_size(api):
    made = create(api)
    fields = made["upload"]["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert {"bucket": get_settings().bucket_name} in conditions
    assert {"key": f"attachments/{made['id']}"} in conditions and fields["key"] == f"attachments/{made['id']}"
    assert {"Content-Type": "application/pdf"} in conditions and fields["Content-Type"] == "application/pdf"
    assert ["content-length-range", PDF["size"], PDF["size"]] in conditions and made["maxBytes"] == PDF["size"]
    assert "Invoice" not in fields["key"]  # never the raw file name
    assert made["fileName"] == "Invoice 2026.pdf"
    code = code_of(made)
    assert len(code) >= 22 and len(base64.urlsafe_b64decode(code + "==")) >= 16  # 128 bits at least


@pytest.mark.parametrize("raw, clean", [
    ("C:\\Users\\me\\photo.jpg", "photo.jpg"),
    ("/tmp/../secret.txt", "secret.txt"),
    ("..", "file"),
    ("a\u202ename\u0007.txt", "aname.txt"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_file_names_are_sanitised(raw, clean):
    assert sanitize_file_name(raw) == clean


@pytest.mark.parametrize("change, status, words", [
    ({"mimeType": "application/x-msdownload"}, 400, "mimeType"),
    ({"size": 26 * 1024 * 1024}, 413, "size"),
    ({"size": 0}, 400, "size"),
    ({"size": "big"}, 400, "size"),
    ({"fileName": ""}, 400, "fileName"),
    ({"fileName": "Invoice\x00.pdf"}, 400, "fileName"),  # a control character, refused at the edge
    ({"contact_id": "nope"}, 400, "contact_id"),
    ({"contact_id": "A" * 32}, 404, "contact"),
    ({"call_Id": "NO-SUCH-CALL"}, 404, "call"),
    ({"colour": "red"}, 400, "colour"),
])
def test_refused_before_signing(api, change, status, words):
    reply = api.post("/s3attachments", PDF | change)
    assert reply.status_code == status and words in body(reply)["Message"], reply.body


def test_statuses_pending_stored_revoked(api):
    made = create(api)
    code = code_of(made)
    assert body(api.get(f"/attachments/{made['id']}"))["status"] == "pending"
    pending = api.get(f"/a/{code}")
    assert pending.status_code == 409 and body(pending)["Code"] == "UploadPending"
    upload(made)
    info = body(api.get(f"/attachments/{made['id']}"))
    assert info["status"] == "stored" and info["size"] == PDF["size"]
    assert info["contentType"] == "application/pdf"
    redirect = api.get(f"/a/{code}")
    assert redirect.status_code == 302
    location = redirect.headers["Location"]
    assert f"attachments/{made['id']}" in location and "X-Amz-Expires=60" in location
    assert "response-content-disposition=inline" in location  # a PDF opens in the tab
    revoked = api.delete(f"/attachments/{made['id']}")
    assert revoked.status_code == 200 and body(revoked)["status"] == "revoked"
    gone = api.get(f"/a/{code}")
    assert gone.status_code == 410 and "revoked" in body(gone)["Message"]
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        aws.s3().head_object(Bucket=get_settings().bucket_name, Key=f"attachments/{made['id']}")


def test_a_short_link_serves_only_the_file_that_was_declared(api):
    made = create(api)
    upload(made, b"%PDF-1.4 not the declared size")  # what the upload policy would have refused
    assert body(api.get(f"/attachments/{made['id']}"))["status"] == "mismatch"
    refused = api.get(f"/a/{code_of(made)}")
    assert refused.status_code == 409 and "not the one declared" in body(refused)["Message"]


def test_expired_and_unknown_links(api, monkeypatch):
    monkeypatch.setenv("CIM_ATTACHMENT_DAYS", "0")
    get_settings.cache_clear()
    made = create(api)
    upload(made)
    assert body(api.get(f"/attachments/{made['id']}"))["status"] == "expired"
    assert api.get(f"/a/{code_of(made)}").status_code == 410
    assert api.get("/a/" + "x" * 22).status_code == 404
    assert api.get("/a/short").status_code == 404
    assert api.get("/attachments/" + "B" * 32).status_code == 404
    assert api.get("/attachments/nope").status_code == 400


def test_attachments_show_in_the_call_tree_and_the_contact(api):
    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "415-555-0100"}))
    api.post("/interactions/updateOrSaveInteractionTree/CHAT-1",
             {"interaction": {"leg_id": "c1", "type": "chat"}, "ani": "4155550100"})
    made = create(api, call_Id="CHAT-1", contact_id=ann["id"])
    tree = body(api.get("/interactions/CHAT-1"))
    assert [a["id"] for a in tree["attachments"]] == [made["id"]]
    assert body(api.get(f"/interactions/loadInteractions/{ann['id']}"))[0]["attachments"][0]["shortUrl"] == \
        made["shortUrl"]
    listed = body(api.get(f"/contacts/{ann['id']}/attachments"))["items"]
    assert [a["id"] for a in listed] == [made["id"]]
    api.delete(f"/attachments/{made['id']}")
    assert body(api.get("/interactions/CHAT-1"))["attachments"] == []
    assert body(api.get(f"/contacts/{ann['id']}/attachments"))["items"] == []


def test_refused_files_are_explained_in_words_people_use(api):
    odd = api.post("/s3attachments", {"fileName": "run.exe", "mimeType": "application/x-msdownload", "size": 10})
    assert odd.status_code == 400
    assert body(odd)["Message"].startswith("mimeType: files of type 'application/x-msdownload' cannot be attached; ")
    assert "images" in body(odd)["Message"] and "application/pdf" not in body(odd)["Message"]
    big = api.post("/s3attachments", {"fileName": "a.pdf", "mimeType": "application/pdf", "size": 40 * 1_048_576})
    assert big.status_code == 413 and body(big)["Message"] == "size: the file is 40 MB; a file can be at most 25 MB"
