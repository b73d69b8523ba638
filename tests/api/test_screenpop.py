"""Screen pop pages as served (the browser test in tests/e2e renders them)."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from chalicelib.services.access import links
from tests.api.conftest import add_attributes, body


def pop(api, **params):
    """Open the screen pop the way a desktop does: ask for a link, open it without a key."""
    made = api.post("/screenpop/link", params)
    assert made.status_code == 200, made.body
    url = body(made)["url"]
    return api.as_key(None).get(url[url.index("/screenpop"):])


def test_unique_caller_gets_the_card_with_schema_labels_in_order(api):
    add_attributes(api, tier="text")
    made = body(api.post("/saveContact", {"first_name": "Ann", "last_name": "<b>Lee</b>",
                                          "phone1": "415-555-0100", "tier": "gold"}))
    reply = pop(api, ani="+14155550100")
    page = reply.body.decode()
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/html")
    assert "&lt;b&gt;Lee&lt;/b&gt;" in page and "<b>Lee</b>" not in page
    assert page.index("First name") < page.index("Phone") < page.index("Tier")
    assert made["id"] in page and "<script" not in page and "http://" not in page.split("</style>")[0]


def test_shared_number_gets_a_chooser_and_unknown_number_a_form(api):
    for name in ("Parent", "Child"):
        api.post("/saveContact", {"first_name": name, "phone1": "415-555-0177"})
    chooser = pop(api, ani="4155550177").body.decode()
    assert "Several contacts share this number" in chooser and chooser.count("/screenpop?contact_id=") == 2
    first = chooser.split('href="/screenpop?contact_id=')[1].split('"')[0].replace("&amp;", "&")
    first = "/screenpop?contact_id=" + first
    assert "sig=" in first and api.as_key(None).get(first).status_code == 200
    form = pop(api, ani="415-555-0999").body.decode()
    assert "New caller" in form and 'value="415-555-0999"' in form


def test_the_new_contact_form_creates_the_contact(api):
    token = links.query(links.sign({"form": "new-contact", "caller": "415-555-0999"}, seconds=1800))
    browser = api.as_key(None)
    reply = browser.request("POST", "/screenpop/contacts", raw=f"{token}&first_name=Nina&phone1=415-555-0999&email=",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 303
    card = browser.get(reply.headers["Location"]).body.decode()
    assert "Nina" in card
    assert body(api.post("/contacts/lookup", {"ani": "4155550999"}))["match"] == "unique"


def test_the_signed_link_pages_tell_callers_apart_and_offer_every_attribute(api):
    add_attributes(api, account={"type": "text", "searchable": True}, tier={"type": "text", "options": ["a", "b"]})
    parent = body(api.post("/saveContact", {"first_name": "Sam", "phone1": "415-555-0177", "email": "p@example.com",
                                            "account": "AC-P"}))
    body(api.post("/saveContact", {"first_name": "Sam", "phone1": "415-555-0177", "account": "AC-C"}))
    api.post("/interactions/updateOrSaveInteractionTree/SP-1", {
        "interaction": {"type": "voice", "start_time": "2026-11-20T09:00:00Z", "wrap_up": "asked about <bill>"},
        "ani": "4155550177", "contact_id": parent["id"]})
    chooser = pop(api, ani="4155550177").body.decode()
    # Two Sams: their e-mail, their account and when each last called tell them apart.
    assert "AC-P" in chooser and "AC-C" in chooser and "p@example.com" in chooser and "2026-11-20" in chooser
    card = pop(api, contact_id=parent["id"]).body.decode()
    assert "SP-1" in card and "asked about &lt;bill&gt;" in card  # the recent calls, each expandable
    assert "/desk/" not in card and "<script" not in card  # read-only: no desk links, no upload
    form = pop(api, ani="415-555-0998").body.decode()
    assert 'name="account"' in form and '<select id="f-tier" name="tier">' in form
    token = links.query(links.sign({"form": "new-contact", "caller": "415-555-0998"}, seconds=1800))
    made = api.as_key(None).request("POST", "/screenpop/contacts",
                                    raw=f"{token}&first_name=Nea&phone1=415-555-0998&account=AC-N&tier=b",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert made.status_code == 303, made.body
    stored = body(api.post("/contacts/lookup", {"ani": "4155550998"}))["contacts"][0]
    assert stored["account"] == "AC-N" and stored["tier"] == "b"


def test_a_forged_or_expired_form_creates_nothing(api):
    browser = api.as_key(None)
    forged = browser.request("POST", "/screenpop/contacts", raw="form=new-contact&exp=9999999999&sig=00&first_name=X",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert forged.status_code == 403
    expired = links.query(links.sign({"form": "new-contact", "caller": "4155550999"}, seconds=-1))
    late = browser.request("POST", "/screenpop/contacts", raw=f"{expired}&first_name=X",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert late.status_code == 403 and body(api.get("/getContactList")) == []


def test_screenpop_links_must_be_signed_and_fresh(api):
    browser = api.as_key(None)
    assert browser.get("/screenpop?ani=4155550100").status_code == 403
    tampered = links.sign({"ani": "4155550100"})
    tampered["ani"] = "4155550101"
    assert browser.get(f"/screenpop?{links.query(tampered)}").status_code == 403
    stale = links.sign({"ani": "4155550100"}, seconds=-1)
    assert "expired" in browser.get(f"/screenpop?{links.query(stale)}").body.decode()


def test_screenpop_problems_are_pages_not_stack_traces(api):
    assert api.post("/screenpop/link", {}).status_code == 400
    assert api.post("/screenpop/link", {"ani": "1", "contact_id": "2"}).status_code == 400
    # A link is refused for what a lookup would refuse, and a page for what slipped into a link.
    assert api.post("/screenpop/link", {"contact_id": "nope"}).status_code == 400
    for wrong in ({"ani": "4155550100", "callVariables": False}, {"ani": 4155550100},
                  {"ani": "4155550100", "callVariables": {"account": ["AC-1"]}}):  # types the spec does not allow
        refused = api.post("/screenpop/link", wrong)
        assert refused.status_code == 400 and ("callVariables" in body(refused)["Message"]
                                               or "ani" in body(refused)["Message"]), wrong
    assert api.post("/screenpop/link", {"ani": "1" * 100_000}).status_code in (400, 413)
    signed = links.query(links.sign({"contact_id": "../x"}))
    bad = api.as_key(None).get(f"/screenpop?{signed}")
    assert bad.status_code == 400 and bad.headers["Content-Type"].startswith("text/html")
    missing = pop(api, contact_id="A" * 32)
    assert missing.status_code == 404 and "not found" in missing.body.decode()


def test_an_ivr_key_may_not_mint_a_link_that_opens_a_card(api):
    made = api.post("/keys", {"name": "ivr-1", "role": "ivr"})
    ivr = api.as_key(body(made)["key"])
    contact = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "415-555-0100"}))
    for asked in ({"ani": "+14155550100"}, {"contact_id": contact["id"]}):
        refused = ivr.post("/screenpop/link", asked)
        assert refused.status_code == 403 and "agent" in body(refused)["Message"]
    # An IVR saving a leg is answered with its own leg, never what an agent wrote on it.
    api.post("/interactions/updateOrSaveInteractionTree/C-1", {"interaction": {
        "leg_id": "L1", "wrap_up": "agent note: disputes the bill", "notes": "private"}, "ani": "+14155550100"})
    echoed = ivr.post("/interactions/updateOrSaveInteractionTree/C-1", {"interaction": {
        "leg_id": "L1", "ivr_trail": "main>billing"}})
    assert echoed.status_code == 200
    assert body(echoed) == {"leg_id": "L1", "ivr_trail": "main>billing", "received_at": body(echoed)["received_at"]}


def test_a_signed_link_for_a_withheld_number_offers_a_form_that_saves(api):
    browser = api.as_key(None)
    page = pop(api, ani="anonymous")
    text = page.body.decode()
    assert page.status_code == 200 and "was withheld or cannot be read" in text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
    made = browser.request("POST", "/screenpop/contacts", raw=urlencode(fields | {"first_name": "Wanda"}),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert made.status_code == 303, made.body
    assert [c["first_name"] for c in body(api.get("/getContactList"))] == ["Wanda"]
