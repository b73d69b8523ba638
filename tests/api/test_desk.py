"""The agent desk as served: sessions, CSRF, what each page shows and what it
costs in DynamoDB calls (the browser test in tests/e2e drives it for real)."""
from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from tests.api.conftest import add_attributes, body

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def make_key(api, role="agent", name="Ada Agent") -> dict:
    reply = api.post("/keys", {"name": name, "role": role})
    assert reply.status_code == 201, reply.body
    return body(reply)


class Desk:
    """A browser's view of the desk: keeps the session cookie, reads CSRF tokens from forms."""

    def __init__(self, api) -> None:
        self.api = api.as_key(None)
        self.cookie = ""

    @property
    def calls(self) -> list[str]:
        return self.api.calls

    def get(self, path: str, **headers):
        return self.api.get(path, headers=({"Cookie": self.cookie} if self.cookie else {}) | headers)

    def post(self, path: str, form: dict, **headers):
        # As a browser's form post from our own page: it says it is same-origin.
        hdrs = FORM | {"Sec-Fetch-Site": "same-origin"} | ({"Cookie": self.cookie} if self.cookie else {})
        hdrs |= {k.replace("_", "-"): v for k, v in headers.items()}
        return self.api.post(path, raw=urlencode(form, doseq=True), headers=hdrs)

    def sign_in(self, key: str, next_path: str = "/desk"):
        reply = self.post("/desk/signin", {"key": key, "next": next_path})
        if reply.status_code == 303 and "Set-Cookie" in reply.headers:
            self.cookie = reply.headers["Set-Cookie"].split(";")[0]
        return reply

    def csrf(self, page: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def form_values(self, page: str, form_id: str) -> dict[str, str]:
        """What a browser would send for the form: inputs, selected options, textareas."""
        return FormReader.read(page, form_id)


class FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}
        self.select = self.textarea = None

    @classmethod
    def read(cls, page: str, form_id: str) -> dict[str, str]:
        reader = cls(form_id)
        reader.feed(page)
        return reader.values

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif self.inside and tag == "input" and a.get("type") in ("radio", "checkbox"):
            if "checked" in a:
                self.values[a["name"]] = a.get("value") or ""
        elif self.inside and tag == "input" and a.get("name") and a.get("type") != "file":
            self.values[a["name"]] = a.get("value") or ""
        elif self.inside and tag == "select":
            self.select = a["name"]
            self.values.setdefault(self.select, "")
        elif self.inside and tag == "option" and self.select and "selected" in a:
            self.values[self.select] = a.get("value") or ""
        elif self.inside and tag == "textarea":
            self.textarea = a["name"]
            self.values[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


@pytest.fixture
def desk(api):
    return Desk(api)


@pytest.fixture
def agent(api, desk):
    key = make_key(api)
    assert desk.sign_in(key["key"]).status_code == 303
    return key


def page_of(reply) -> str:
    assert reply.headers["Content-Type"].startswith("text/html"), reply.headers
    return reply.body.decode()


def test_sign_in_sets_a_locked_down_cookie_and_returns_to_the_page_asked_for(api, desk):
    key = make_key(api)
    first = desk.get("/desk/pop?ani=4155550100&account=A-1")
    assert first.status_code == 303
    target = urlsplit(first.headers["Location"])
    assert target.path == "/desk/signin"
    next_path = parse_qs(target.query)["next"][0]
    assert next_path.startswith("/desk/pop?") and "account=A-1" in next_path
    form = page_of(desk.get(f"/desk/signin?{target.query}"))
    assert 'type="password"' in form and f'value="{next_path.replace("&", "&amp;")}"' in form

    reply = desk.sign_in(key["key"], next_path)
    assert reply.status_code == 303 and reply.headers["Location"].endswith(next_path)
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/desk" in cookie and "Max-Age=36000" in cookie
    assert key["key"] not in cookie
    assert desk.get(next_path).status_code == 200


def test_wrong_keys_and_foreign_targets_are_refused(api, desk):
    refused = desk.sign_in("cim_not-a-key")
    assert refused.status_code == 401 and "not a valid personal key" in page_of(refused)
    assert "make key" not in page_of(refused)  # words an agent knows, not a developer's command
    from tests.conftest import ADMIN_KEY
    assert desk.sign_in(ADMIN_KEY).status_code == 401  # the shared bootstrap key is nobody's
    ivr = make_key(api, role="ivr", name="ivr-box")
    assert desk.sign_in(ivr["key"]).status_code == 403
    key = make_key(api)
    assert desk.sign_in(key["key"], "https://evil.example/desk").headers["Location"].endswith("/desk")
    assert desk.sign_in(key["key"], "//evil.example/x").headers["Location"].endswith("/desk")
    forged = desk.cookie[:-3] + "abc"
    assert desk.api.get("/desk", headers={"Cookie": forged}).status_code == 303


def test_writes_need_the_forms_csrf_token_and_our_origin(api, desk, agent):
    made = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "415-555-0100"}))
    edit = page_of(desk.get(f"/desk/contacts/{made['id']}/edit"))
    form = desk.form_values(edit, "edit") | {"first_name": "Anna"}
    without = {k: v for k, v in form.items() if k != "csrf"}
    assert desk.post(f"/desk/contacts/{made['id']}", without).status_code == 403
    assert desk.post(f"/desk/contacts/{made['id']}", form | {"csrf": "x" * 43}).status_code == 403
    assert desk.post(f"/desk/contacts/{made['id']}", form, Origin="https://evil.example").status_code == 403
    # Our host under another scheme is another origin; a write that names no origin at all is refused.
    assert desk.post(f"/desk/contacts/{made['id']}", form, Origin="https://localhost", Host="localhost"
                     ).status_code == 403
    assert desk.post(f"/desk/contacts/{made['id']}", form, Sec_Fetch_Site="cross-site").status_code == 403
    assert desk.post(f"/desk/contacts/{made['id']}", form, Sec_Fetch_Site="none").status_code == 403
    assert body(api.get(f"/contacts/{made['id']}"))["first_name"] == "Ann"  # nothing was saved
    saved = desk.post(f"/desk/contacts/{made['id']}", form, Origin="http://localhost", Host="localhost")
    assert saved.status_code == 303, saved.body
    assert body(api.get(f"/contacts/{made['id']}"))["first_name"] == "Anna"


def test_signing_out_or_revoking_the_key_ends_the_session(api, desk, agent):
    assert desk.get("/desk").status_code == 200
    revoked = api.delete(f"/keys/{agent['id']}")
    assert revoked.status_code == 200
    assert desk.get("/desk").status_code == 303

    other = make_key(api, name="Bo Agent")
    assert desk.sign_in(other["key"]).status_code == 303
    page = page_of(desk.get("/desk"))
    out = desk.post("/desk/signout", {"csrf": desk.csrf(page)})
    assert out.status_code == 303 and "Max-Age=0" in out.headers["Set-Cookie"]
    assert desk.get("/desk").status_code == 303  # the old cookie, replayed, is refused too
    assert desk.sign_in(other["key"]).status_code == 303  # signing in again at once works
    assert desk.get("/desk").status_code == 200


def test_search_by_name_phone_email_and_attribute_costs_what_the_api_does(api, desk, agent):
    add_attributes(api, account={"type": "text", "unique": True, "searchable": True})
    ann = body(api.post("/saveContact", {"first_name": "Ann", "last_name": "Lee", "phone1": "+1 415 555 0100",
                                         "email": "ann@example.com", "account": "AC-77"}))
    api.post("/saveContact", {"first_name": "Bo", "phone1": "415 555 0101"})
    for q, field in (("ann le", ""), ("(415) 555-0100", ""), ("ANN@example.com", ""), ("AC-77", "account")):
        reply = desk.get("/desk?" + urlencode({"q": q, "field": field}))
        page = page_of(reply)
        assert ann["id"] in page and "Bo" not in page.split('id="found"')[1], q
        # The session's GetItem, then what the API's search costs: a name of two words its exact pairs, the
        # names it only begins and long names (the contacts ride on the entries), any other term its index
        # and the contacts.
        by_name = q == "ann le"
        assert desk.calls == ["GetItem"] + (["Query"] * 3 if by_name else ["Query", "BatchGetItem"]), q
    # after a search in an attribute, the results say where, and "Search in" is back to its default
    assert "Results in Account</h2>" in page and "selected" not in page.split('id="field"')[1].split("</select>")[0]
    nothing = page_of(desk.get("/desk?q=zed"))
    assert "No contact matches" in nothing
    bad = desk.get("/desk?" + urlencode({"q": "x", "field": "nope"}))
    assert bad.status_code == 400 and "nope: not an attribute" in page_of(bad)


def test_search_pages_through_results(api, desk, agent):
    for i in range(30):
        api.post("/saveContact", {"first_name": "Pekka", "last_name": f"Virta{i:02d}"})
    first = page_of(desk.get("/desk?q=pekka"))
    assert first.count('<tr><td data-label="Name">') == 25
    more = unescape(re.search(r'href="([^"]+)">Next page of results', first).group(1))
    second = page_of(desk.get(more[more.index("/desk"):]))
    assert second.count('<tr><td data-label="Name">') == 5


def test_the_card_shows_every_attribute_history_and_files_in_few_calls(api, desk, agent):
    add_attributes(api, tier={"type": "text", "options": ["gold", "silver"]}, note="text")
    made = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "4155550100", "tier": "gold"}))
    for n in range(12):
        leg = {"interaction": {"type": "voice", "interaction_type": "IVR", "start_time": f"2026-11-{n + 1:02d}T10:00:00Z",
                               "ivr_trail": "main>billing"}, "ani": "4155550100"}
        assert api.post(f"/interactions/updateOrSaveInteractionTree/CALL-{n}", leg).status_code == 200
    api.post("/interactions/updateOrSaveInteractionTree/CALL-11", {"interaction": {
        "leg_id": "agent", "type": "voice", "interaction_type": "agent", "agentId": "agent-7", "csq": "Billing",
        "wrap_up": "refund <ok>"}})
    api.post("/s3attachments", {"fileName": "id.pdf", "mimeType": "application/pdf", "size": 10,
                                "contact_id": made["id"]})
    page = page_of(desk.get(f"/desk/contacts/{made['id']}"))
    # every attribute: those holding a value first, in schema order; the empty ones folded away below
    assert page.index("<dt>First name") < page.index("<dt>Tier") < page.index("Empty fields (4)") \
        < page.index("<dt>E-mail") < page.index("<dt>Note")
    assert page.count("<details id=\"call-") == 10 and "Older calls" in page
    assert page.index("CALL-11") < page.index("CALL-10")  # newest first
    assert "refund &lt;ok&gt;" in page and "Billing" in page and "id.pdf" in page
    # the contact, its notes (Query), its follow-ups (Query), its calls (Query + BatchGetItem), its files
    # (Query), who else holds its numbers and addresses (one BatchGetItem, for "Possible duplicates"; one
    # more only when someone does): no read per call, note or follow-up; and one PutItem: the agent's
    # recent contacts
    assert sorted(desk.calls) == ["BatchGetItem", "BatchGetItem", "GetItem", "GetItem", "PutItem", "Query",
                                  "Query", "Query", "Query"], desk.calls
    older = unescape(re.search(r'href="([^"]+)">Older calls', page).group(1))
    rest = page_of(desk.get(older[older.index("/desk"):]))
    # The history page goes on with one line a call, read from the history entries: no tree.
    assert "BatchGetItem" not in desk.calls and "<details id=\"call-" not in rest
    assert re.findall(r'/desk/calls/(CALL-\d+)"', rest) == ["CALL-1", "CALL-0"]
    assert "voice · 1 leg" in rest
    tree = page_of(desk.get("/desk/calls/CALL-11"))
    assert "agent-7" in tree and "main&gt;billing" in tree


def test_a_stale_save_never_undoes_the_other_agents_work(api, desk, agent):
    """Agent A edits city, tier and tags; agent B changes the e-mail and the
    other phone and saves; A saves: B's e-mail and phone stay, A's fields land."""
    add_attributes(api, city="text", tier={"type": "text", "options": ["gold", "silver"]}, tags="list")
    made = body(api.post("/saveContact", {"first_name": "Ann", "email": "ann@example.com", "phone1": "4155550100",
                                          "phone2": "4155550101", "city": "Oslo", "tier": "gold", "tags": ["a"]}))
    edit = page_of(desk.get(f"/desk/contacts/{made['id']}/edit"))
    mine = desk.form_values(edit, "edit") | {"city": "Bergen", "tier": "silver", "tags": "a\nvip"}
    other = api.put(f"/contacts/{made['id']}", {"email": "ann.lee@example.com", "phone2": None, "version": 1})
    assert other.status_code == 200  # agent B, meanwhile
    saved = desk.post(f"/desk/contacts/{made['id']}", mine)
    assert saved.status_code == 303, page_of(saved)
    stored = body(api.get(f"/contacts/{made['id']}"))
    assert stored["email"] == "ann.lee@example.com" and stored.get("phone2") is None
    assert stored["city"] == "Bergen" and stored["tier"] == "silver" and stored["tags"] == ["a", "vip"]
    assert stored["version"] == 3
    changes = body(api.get(f"/contacts/{made['id']}/changes"))["items"]
    assert changes[0]["fields"] == ["city", "tags", "tier"]  # A wrote only what A changed


def test_only_fields_both_agents_changed_are_conflicts_and_the_agent_chooses(api, desk, agent):
    add_attributes(api, city="text")
    made = body(api.post("/saveContact", {"first_name": "Ann", "last_name": "Lee", "phone1": "4155550100",
                                          "city": "Oslo"}))
    edit = page_of(desk.get(f"/desk/contacts/{made['id']}/edit"))
    mine = desk.form_values(edit, "edit") | {"last_name": "Leigh", "city": "Bergen"}
    api.put(f"/contacts/{made['id']}", {"last_name": "Lea", "email": "lea@example.com"})  # another agent
    stale = desk.post(f"/desk/contacts/{made['id']}", mine)
    page = page_of(stale)
    assert stale.status_code == 409 and "changed the same fields" in page
    conflict_rows = re.findall(r'<tr><th scope="row">([^<]+)</th>', page)
    assert conflict_rows == ["Last name"]  # not the e-mail (only theirs), not the city (only mine)
    assert "Keep: Lea" in page and "Use yours: Leigh" in page
    stored = body(api.get(f"/contacts/{made['id']}"))
    assert stored["last_name"] == "Lea" and stored["city"] == "Oslo"  # nothing saved yet
    again = desk.form_values(page, "edit")
    assert again["version"] == "2" and 'value="Bergen"' in page and 'value="lea@example.com"' in page
    # Without a choice the browser would not submit (required); choosing theirs keeps theirs.
    assert desk.post(f"/desk/contacts/{made['id']}", again | {"choice.last_name": "theirs"}).status_code == 303
    stored = body(api.get(f"/contacts/{made['id']}"))
    assert (stored["last_name"], stored["city"], stored["email"]) == ("Lea", "Bergen", "lea@example.com")


def test_choosing_mine_in_a_conflict_writes_mine(api, desk, agent):
    made = body(api.post("/saveContact", {"first_name": "Ann", "last_name": "Lee", "phone1": "4155550100"}))
    edit = page_of(desk.get(f"/desk/contacts/{made['id']}/edit"))
    mine = desk.form_values(edit, "edit") | {"last_name": "Leigh"}
    api.put(f"/contacts/{made['id']}", {"last_name": "Lea"})
    page = page_of(desk.post(f"/desk/contacts/{made['id']}", mine))
    again = desk.form_values(page, "edit") | {"choice.last_name": "mine"}
    assert desk.post(f"/desk/contacts/{made['id']}", again).status_code == 303
    assert body(api.get(f"/contacts/{made['id']}"))["last_name"] == "Leigh"


def test_the_edit_form_follows_the_schema_and_names_a_bad_field(api, desk, agent):
    add_attributes(api, tier={"type": "text", "options": ["gold", "silver"], "required": False},
                   vip="boolean", visits="number", since="date", tags="list")
    made = body(api.post("/saveContact", {"first_name": "Ann", "tier": "gold", "vip": True, "tags": ["a", "b"]}))
    edit = page_of(desk.get(f"/desk/contacts/{made['id']}/edit"))
    assert '<select id="f-tier" name="tier">' in edit and '<option value="gold" selected>' in edit
    assert '<option value="true" selected>Yes</option>' in edit and 'type="date"' in edit
    assert '<textarea id="f-tags" name="tags"' in edit and "a\nb</textarea>" in edit
    assert 'type="tel"' in edit and 'type="email"' in edit
    assert all(f'<label for="f-{k}">' in edit for k in ("first_name", "tier", "vip", "visits", "since", "tags"))
    form = desk.form_values(edit, "edit") | {"visits": "many", "tags": "x\ny\n", "vip": "false"}
    refused = desk.post(f"/desk/contacts/{made['id']}", form)
    shown = page_of(refused)
    # in the agent's words (the field's label), on the field itself, where the cursor goes
    assert refused.status_code == 400 and "Visits: &#x27;many&#x27; is not a number" in shown
    assert re.search(r'<input id="f-visits"[^>]* aria-invalid="true" aria-errormessage="problem" autofocus>', shown)
    assert shown.count("autofocus") == 1 and 'id="problem"' in shown
    assert re.search(r'<input id="f-first_name"[^>]* autofocus>', edit)  # at first: the first field
    saved = desk.post(f"/desk/contacts/{made['id']}", form | {"visits": "12", "email": ""})
    assert saved.status_code == 303
    stored = body(api.get(f"/contacts/{made['id']}"))
    assert stored["visits"] == 12 and stored["tags"] == ["x", "y"] and stored["vip"] is False


def test_pop_answers_the_card_a_chooser_or_the_new_caller_form(api, desk, agent):
    add_attributes(api, account={"type": "text", "searchable": True})
    rule = api.post("/mapping", {"callVariable": "callVariable3", "key": "account", "varNumber": 3})
    assert rule.status_code in (200, 201), rule.body
    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "4155550100", "account": "AC-1"}))
    card = page_of(desk.get("/desk/pop?ani=%2B14155550100"))
    assert ann["id"] in card and "Calling from +14155550100" in card
    for name, account in (("Parent", "AC-2"), ("Child", "AC-3")):
        api.post("/saveContact", {"first_name": name, "phone1": "415-555-0166", "account": account})
    api.post("/interactions/updateOrSaveInteractionTree/C-9", {
        "interaction": {"type": "voice", "start_time": "2026-11-20T09:00:00Z"}, "ani": "4155550166"})
    child = body(api.get("/contacts?first_name=Child&phone=4155550166"))["items"][0]
    assert api.put("/interactions/C-9/contact", {"contact_id": child["id"]}).status_code == 200
    chooser = page_of(desk.get("/desk/pop?ani=4155550166"))
    assert "Several contacts share this number" in chooser and chooser.count('<tr><td data-label="Name">') == 2
    assert "AC-2" in chooser and "AC-3" in chooser and "<th scope=\"col\">Account</th>" in chooser
    assert "Last call" in chooser and "2026-11-20" in chooser
    # the lookup (Query + BatchGetItem), the number's calls (Query + BatchGetItem), the session's key
    assert sorted(desk.calls) == ["BatchGetItem", "BatchGetItem", "GetItem", "Query", "Query"], desk.calls
    by_variable = page_of(desk.get("/desk/pop?ani=4155550166&callVariable3=AC-3"))
    assert "Child" in by_variable and "Several" not in by_variable
    assert "Calling from 4155550166</p>" in by_variable  # the variable found her, and the number is hers too
    elsewhere = page_of(desk.get("/desk/pop?ani=4155550777&callVariable3=AC-1"))  # Ann's account, another phone
    assert ann["id"] in elsewhere
    assert "Calling from 4155550777, a number not on this card: found by callVariable3 (AC-1)" in elsewhere
    form = page_of(desk.get("/desk/pop?ani=415-555-0999"))
    assert 'id="new-contact"' in form and 'value="415-555-0999"' in form and 'name="account"' in form


def test_the_new_contact_form_creates_one_contact_however_often_it_is_sent(api, desk, agent):
    add_attributes(api, account="text")
    form_page = page_of(desk.get("/desk/pop?ani=415-555-0999"))
    form = desk.form_values(form_page, "new-contact") | {"first_name": "Nea", "account": "AC-9"}
    first = desk.post("/desk/contacts", form)
    second = desk.post("/desk/contacts", form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    found = body(api.get("/contacts?phone=4155550999"))["items"]
    assert len(found) == 1 and found[0]["account"] == "AC-9"
    other = desk.post("/desk/contacts", form | {"phone1": "415-555-0123"})
    assert other.status_code == 403  # a form opened for one caller cannot add another


def test_upload_gives_a_presigned_form_that_returns_to_the_card(api, desk, agent):
    made = body(api.post("/saveContact", {"first_name": "Ann"}))
    page = page_of(desk.get(f"/desk/contacts/{made['id']}"))
    token = desk.csrf(page)
    policy = desk.get(f"/desk/contacts/{made['id']}").headers["Content-Security-Policy"]
    assert "script-src 'sha256-" in policy and "form-action 'self' http" in policy
    asked = {"fileName": "note.txt", "mimeType": "text/plain", "size": 5}
    refused = desk.api.post(f"/desk/contacts/{made['id']}/attachments", asked, headers={"Cookie": desk.cookie})
    assert refused.status_code == 403
    reply = desk.api.post(f"/desk/contacts/{made['id']}/attachments", asked,  # the page's fetch, same-origin
                          headers={"Cookie": desk.cookie, "X-CSRF-Token": token, "Sec-Fetch-Site": "same-origin"})
    assert reply.status_code == 201, reply.body
    fields = body(reply)["upload"]["fields"]
    assert fields["success_action_redirect"].endswith(f"/desk/contacts/{made['id']}?uploaded=1")
    listed = body(api.get(f"/contacts/{made['id']}/attachments"))["items"]
    assert [f["fileName"] for f in listed] == ["note.txt"]


def test_a_new_caller_form_works_only_at_the_door_that_issued_it(api, desk, agent):
    """The desk and the signed-link pop build their forms in one service; a
    desk form sent to the public pop (or a pop form to the desk) is refused."""
    desk_form = desk.form_values(page_of(desk.get("/desk/pop?ani=415-555-0997")), "new-contact")
    sent_to_pop = api.as_key(None).request(
        "POST", "/screenpop/contacts", raw=urlencode(desk_form | {"first_name": "Ida"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert sent_to_pop.status_code == 403
    from chalicelib.services.access import links
    from chalicelib.services.contacts import cards

    pop_token = links.sign({"form": cards.LINK_FORM, "caller": "415-555-0997"}, seconds=1800)
    sent_to_desk = desk.post("/desk/contacts", pop_token | {"csrf": desk_form["csrf"], "first_name": "Ida"})
    assert sent_to_desk.status_code == 403
    assert body(api.get("/contacts?phone=4155550997"))["items"] == []


def test_an_agent_adds_a_note_from_the_card_and_reads_it_there_and_on_the_call(api, desk, agent):
    made = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "+1 415 555 0101"}))
    api.post("/interactions/updateOrSaveInteractionTree/CALL-NOTE",
             {"interaction": {"leg_id": "ivr", "type": "voice"}, "ani": "+1 415 555 0101"})
    api.post("/interactions/CALL-NOTE/notes", {"text": "Wants <b>paper</b> bills"})
    card = page_of(desk.get(f"/desk/contacts/{made['id']}"))
    assert "No notes yet." in card and 'id="note-text"' in card
    saved = desk.post(f"/desk/contacts/{made['id']}/notes",
                      {"text": "Promised a callback\non Monday", "csrf": desk.csrf(card)})
    assert saved.status_code == 303 and "noted=1" in saved.headers["Location"]
    card = page_of(desk.get(saved.headers["Location"]))
    assert "Note saved." in card and "Promised a callback<br>on Monday" in card
    assert "Wants &lt;b&gt;paper&lt;/b&gt; bills" in page_of(desk.get("/desk/calls/CALL-NOTE"))
    assert desk.post(f"/desk/contacts/{made['id']}/notes", {"text": "x"}).status_code == 403  # no CSRF token
    blank = desk.post(f"/desk/contacts/{made['id']}/notes", {"text": "  ", "csrf": desk.csrf(card)})
    assert blank.status_code == 400
    assert [n["text"] for n in body(api.get(f"/contacts/{made['id']}/notes"))["items"]] == [
        "Promised a callback\non Monday"]


def test_an_agent_wraps_up_a_call_from_its_page_and_the_card_shows_why_they_called(api, desk, agent):
    api.put("/wrapup-codes", {"codes": [{"code": "BILLING", "label": "Billing question"}]})
    made = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "+1 415 555 0101"}))
    api.post("/interactions/updateOrSaveInteractionTree/CALL-WRAP",
             {"interaction": {"leg_id": "agent", "type": "voice", "start_time": "2026-11-20T14:00:00Z"},
              "ani": "+1 415 555 0101"})
    page = page_of(desk.get("/desk/calls/CALL-WRAP"))
    assert "Not wrapped up yet." in page and '<option value="BILLING">Billing question</option>' in page
    done = desk.post("/desk/calls/CALL-WRAP/wrapup", {"code": "BILLING", "note": "Late fee", "csrf": desk.csrf(page)})
    assert done.status_code == 303 and "wrapped=1" in done.headers["Location"]
    page = page_of(desk.get(done.headers["Location"]))
    assert "Wrapped up." in page and "<strong>Billing question</strong>" in page and "Late fee" in page
    card = page_of(desk.get(f"/desk/contacts/{made['id']}"))
    facts = card[card.index('id="key-facts"'):card.index("</ul>", card.index('id="key-facts"'))]
    assert "Last call" in facts and "Billing question" in facts and "1 leg · Billing question" in card
    refused = desk.post("/desk/calls/CALL-WRAP/wrapup", {"code": "NOPE", "csrf": desk.csrf(page)})
    assert refused.status_code == 400


@pytest.mark.parametrize("ani", ["anonymous", "withheld", "+0"])
def test_a_withheld_number_pops_a_form_that_saves(api, desk, agent, ani):
    form_page = page_of(desk.get(f"/desk/pop?ani={ani}"))
    assert "was withheld or cannot be read" in form_page and 'id="new-contact"' in form_page
    form = desk.form_values(form_page, "new-contact") | {"first_name": "Wanda"}
    saved = desk.post("/desk/contacts", form)
    assert saved.status_code == 303, saved.body
    assert [c["first_name"] for c in body(api.get("/getContactList"))] == ["Wanda"]


def test_a_new_contact_that_may_exist_shows_who_before_anything_is_saved(api, desk, agent):
    ann = body(api.post("/saveContact", {"first_name": "Anneli", "last_name": "Söderberg",
                                         "phone1": "+1 415 555 0100"}))
    form_page = page_of(desk.get("/desk/new"))
    form = desk.form_values(form_page, "new-contact") | {"first_name": "Anneli", "last_name": "Soderberg",
                                                        "phone1": "415 555 0100"}
    shown = desk.post("/desk/contacts", form)
    page = shown.body.decode()
    assert shown.status_code == 409 and "This may be someone you already have" in page
    assert f"/desk/contacts/{ann['id']}" in page and "same phone number, a name alike" in page
    assert len(body(api.get("/contacts?phone=4155550100"))["items"]) == 1  # nothing saved yet
    again = desk.form_values(page, "new-contact") | {"save_anyway": "1"}
    assert again["first_name"] == "Anneli"  # what the agent typed is kept
    saved = desk.post("/desk/contacts", again)
    assert saved.status_code == 303
    assert len(body(api.get("/contacts?phone=4155550100"))["items"]) == 2


def test_an_agent_promises_a_callback_from_the_card_finds_it_at_home_and_marks_it_done(api, desk, agent):
    made = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "+1 415 555 0100"}))
    api.post("/followups", {"contact_id": made["id"], "due_at": "2026-12-09T09:00:00Z", "note": "someone else's",
                            "owner": "another-agent"})
    card = page_of(desk.get(f"/desk/contacts/{made['id']}"))
    form = desk.form_values(card, "promise") | {"due_date": "2026-12-08", "due_time": "15:30",
                                                "note": "Call back <about the offer>"}
    assert form["kind"] == "callback"  # the default choice
    saved = desk.post(f"/desk/contacts/{made['id']}/followups", form)
    assert saved.status_code == 303 and "promised=1" in saved.headers["Location"]
    location = saved.headers["Location"]
    card = page_of(desk.get(location[location.index("/desk"):]))
    assert "Follow-up saved." in card and "Tue 8 Dec 2026 15:30 UTC" in card
    assert card.index("Tue 8 Dec 2026 15:30 UTC") < card.index("Wed 9 Dec 2026 09:00 UTC")  # soonest first
    assert "Call back &lt;about the offer&gt;" in card
    home = page_of(desk.get("/desk"))
    mine = home.split('id="my-followups"')[1]
    assert "Tue 8 Dec 2026 15:30 UTC" in mine and "someone else" not in mine  # only the agent's own
    done_form = re.search(r'<form method="post" class="inline" action="([^"]+)">(.*?)</form>', mine).groups()
    action = unescape(done_form[0])
    finished = desk.post(action[action.index("/desk"):], {"csrf": desk.csrf(home), "back": "home"})
    assert finished.status_code == 303 and finished.headers["Location"].endswith("/desk?done=1")
    home = page_of(desk.get("/desk?done=1"))
    assert "Follow-up done." in home and "Nothing open" in home
    again = desk.post(action[action.index("/desk"):], {"csrf": desk.csrf(home), "back": "home"})
    assert again.status_code == 409
    refused = desk.post(f"/desk/contacts/{made['id']}/followups", form | {"due_date": ""})
    assert refused.status_code == 400


def test_the_home_page_lists_the_cards_this_agent_opened_last(api, desk, agent):
    made = [body(api.post("/saveContact", {"first_name": name, "phone1": f"+1 415 555 01{i:02d}"}))
            for i, name in enumerate(("Aino", "Bo", "Cilla"))]
    for contact in (made[0], made[1], made[0]):  # Aino again: she moves up, once
        desk.get(f"/desk/contacts/{contact['id']}")
    home = page_of(desk.get("/desk"))
    recent = home.split('id="recent"')[1].split("</section>")[0]
    assert recent.index("Aino") < recent.index("Bo") and "Cilla" not in recent and recent.count("Aino") == 1
    assert api.delete(f"/contacts/{made[1]['id']}").status_code == 200
    recent = page_of(desk.get("/desk")).split('id="recent"')[1].split("</section>")[0]
    assert "Bo" not in recent and "Aino" in recent  # a deleted contact drops out


def test_an_open_card_asks_where_the_contact_stands_in_one_read(api, desk, agent):
    made = body(api.post("/saveContact", {"first_name": "Liv", "phone1": "4155550855"}))
    card = page_of(desk.get(f"/desk/contacts/{made['id']}"))
    assert 'id="live"' in card and 'data-version="1"' in card and " hidden " in card
    asked = desk.get(f"/desk/contacts/{made['id']}/version")
    assert asked.status_code == 200 and body(asked)["version"] == 1
    assert sorted(desk.calls) == ["GetItem", "GetItem"]  # the session's key, the contact
    api.put(f"/contacts/{made['id']}", {"last_name": "Lund"})
    assert body(desk.get(f"/desk/contacts/{made['id']}/version"))["version"] == 2
    assert desk.get(f"/desk/contacts/{'A' * 32}/version").status_code == 404


def test_times_read_in_the_desks_zone_and_numbers_and_addresses_are_links(api, desk, agent, monkeypatch):
    from chalicelib.core.settings import get_settings

    monkeypatch.setenv("CIM_DESK_TIMEZONE", "Europe/Helsinki")
    get_settings.cache_clear()
    made = body(api.post("/saveContact", {"first_name": "Aino", "phone1": "+358 40 123 4567", "email": "aino@example.fi"}))
    card = page_of(desk.get(f"/desk/contacts/{made['id']}"))
    form = desk.form_values(card, "promise") | {"due_date": "2026-12-08", "due_time": "15:30", "note": "Call back"}
    assert desk.post(f"/desk/contacts/{made['id']}/followups", form).status_code == 303
    stored = body(api.get(f"/followups?owner={quote(agent['name'])}"))["items"][0]
    assert stored["due_at"] == "2026-12-08T13:30:00.000Z"  # 15:30 in Helsinki is 13:30 UTC
    card = page_of(desk.get(f"/desk/contacts/{made['id']}"))
    assert "Tue 8 Dec 2026 15:30 EET" in card and 'datetime="2026-12-08T13:30:00.000Z"' in card
    assert "Due (Europe/Helsinki)" in card
    assert 'href="tel:+358401234567"' in card and 'href="mailto:aino@example.fi"' in card
    assert 'data-copy="+358401234567"' in card


def test_an_error_page_is_never_a_dead_end(api, desk, agent):
    gone = desk.get(f"/desk/contacts/{'A' * 32}")
    page = page_of(gone)
    assert gone.status_code == 404 and "not found" in page and 'href="/desk">Back to search</a>' in page
    expired = api.as_key(None).get("/screenpop?ani=4155550100&exp=1&sig=00")  # a signed link, stale
    assert expired.status_code in (401, 403, 410) and "Sign in to the desk" in expired.body.decode()


def test_the_search_box_finds_a_numbers_last_digits_and_search_in_an_attributes_beginning(api, desk, agent):
    add_attributes(api, account_no={"type": "text", "searchable": True})
    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "+1 415 555 1010", "account_no": "AC-1001"}))
    bo = body(api.post("/saveContact", {"first_name": "Bo", "phone1": "+1 650 555 1010", "account_no": "AC-1002"}))
    for typed in ("1010", "555-1010"):
        page = page_of(desk.get("/desk?" + urlencode({"q": typed})))
        assert ann["id"] in page and bo["id"] in page, typed
    page = page_of(desk.get("/desk?" + urlencode({"q": "AC-10", "field": "account_no"})))
    assert page.index(ann["id"]) < page.index(bo["id"])  # AC-1001, then AC-1002
    page = page_of(desk.get("/desk?" + urlencode({"q": "AC-1002", "field": "account_no"})))
    assert bo["id"] in page and ann["id"] not in page


def test_a_form_sent_after_the_session_ended_answers_the_sign_in_page_and_writes_nothing(api, desk, agent):
    made = body(api.post("/saveContact", {"first_name": "Mo", "phone1": "4155550166"}))
    form = desk.form_values(page_of(desk.get(f"/desk/contacts/{made['id']}/edit")), "edit")
    assert api.delete(f"/keys/{agent['id']}").status_code == 200  # the session ends while she types
    sent = desk.post(f"/desk/contacts/{made['id']}", form | {"last_name": "Berg"})
    page = page_of(sent)
    assert sent.status_code == 401 and 'id="signin"' in page and "Your session ended before this was saved" in page
    assert "cim-draft" in page  # the script that keeps her typing through signing in again
    assert body(api.get(f"/contacts/{made['id']}")).get("last_name") is None


def test_a_merge_made_earlier_can_be_undone_from_the_survivors_card(api, desk, agent):
    ann = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "4155550100"}))
    anne = body(api.post("/saveContact", {"first_name": "Anne", "phone1": "4155550101"}))
    merge_id = body(api.post("/contacts/merge", {"survivor_id": ann["id"], "merged_ids": [anne["id"]]}))["merge_id"]
    card = page_of(desk.get(f"/desk/contacts/{ann['id']}"))
    # no calls on either, so the card's BatchGetItems are who holds its numbers (nobody but the two, one
    # of them merged into it: no candidate to read) and the redirects: which merges brought contacts here
    assert desk.calls.count("BatchGetItem") == 2, desk.calls
    found = re.search(r'<div id="merged-here">.*?action="([^"]+)"', card, re.S)
    assert found and found.group(1).endswith(f"/desk/merges/{merge_id}/undo")
    action = unescape(found.group(1))
    undone = desk.post(action[action.index("/desk"):], {"csrf": desk.csrf(card)})
    assert undone.status_code == 303 and "unmerged=1" in undone.headers["Location"]
    assert body(api.get(f"/contacts/{anne['id']}"))["first_name"] == "Anne"
    assert 'id="merged-here"' not in page_of(desk.get(f"/desk/contacts/{ann['id']}"))
