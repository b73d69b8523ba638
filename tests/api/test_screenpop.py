"""Screen pop pages as served (the browser test in tests/e2e renders them)."""
from __future__ import annotations

from tests.api.conftest import add_attributes, body


def test_unique_caller_gets_the_card_with_schema_labels_in_order(api):
    add_attributes(api, tier="text")
    made = body(api.post("/saveContact", {"first_name": "Ann", "last_name": "<b>Lee</b>",
                                          "phone1": "415-555-0100", "tier": "gold"}))
    reply = api.get("/screenpop?ani=%2B14155550100")
    page = reply.body.decode()
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/html")
    assert "&lt;b&gt;Lee&lt;/b&gt;" in page and "<b>Lee</b>" not in page
    assert page.index("First name") < page.index("Phone") < page.index("Tier")
    assert made["id"] in page and "<script" not in page and "http://" not in page.split("</style>")[0]


def test_shared_number_gets_a_chooser_and_unknown_number_a_form(api):
    for name in ("Parent", "Child"):
        api.post("/saveContact", {"first_name": name, "phone1": "415-555-0177"})
    chooser = api.get("/screenpop?ani=4155550177").body.decode()
    assert "Several callers share this number" in chooser and chooser.count("/screenpop?contact_id=") == 2
    form = api.get("/screenpop?ani=415-555-0999").body.decode()
    assert "New caller" in form and 'value="415-555-0999"' in form


def test_the_new_contact_form_creates_the_contact(api):
    reply = api.request("POST", "/screenpop/contacts", raw="first_name=Nina&phone1=415-555-0999&email=",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 303
    card = api.get(reply.headers["Location"]).body.decode()
    assert "Nina" in card
    assert body(api.post("/contacts/lookup", {"ani": "4155550999"}))["match"] == "unique"


def test_screenpop_problems_are_pages_not_stack_traces(api):
    assert api.get("/screenpop").status_code == 400
    assert api.get("/screenpop?contact_id=nope").status_code == 400
    missing = api.get("/screenpop?contact_id=" + "A" * 32)
    assert missing.status_code == 404 and "not found" in missing.body.decode()
