"""The agent desk in a real browser: Debian's chromium driven through
chromium-driver (Selenium), against the server ``make run`` starts.

An agent signs in from a CTI pop, searches, opens a card, edits it, meets a
second agent's saves (their fields kept, a field both changed chosen side
by side), expands a call, uploads a file and opens
it, pops an unknown caller and submits the form twice, pops a shared number,
signs out, and finds a revoked key's session refused. axe-core runs in every
page (serious or critical violations fail), and every page is photographed at
1280x720 and in a 400-pixel side panel under tests/artifacts/.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

pytestmark = [pytest.mark.e2e, pytest.mark.takes(40)]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SIZES = ((1280, 720), (400, 720))


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: `make test` installs it (as root on Debian)")
    pytest.skip(f"{what} is missing (make browser)")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None or CHROMEDRIVER is None:
        _missing("chromium or chromium-driver")
    if not AXE.exists():
        _missing("axe-core (npm ci --prefix tests/browser)")
    os.environ["SE_OFFLINE"] = "true"  # Selenium must never download a driver or a browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    with tempfile.TemporaryDirectory() as profile:
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,720"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        driver.implicitly_wait(5)
        try:
            yield driver
        finally:
            driver.quit()


class Agent:
    """The browser, with what the test checks on every page."""

    def __init__(self, driver, server) -> None:
        self.driver, self.server = driver, server
        self.axe = AXE.read_text()

    def open(self, path: str) -> None:
        self.driver.get(self.server.url + path)

    @property
    def page(self) -> str:
        return self.driver.page_source

    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text(self) -> str:
        return self.find("body").text

    def wait_for(self, words: str, seconds: float = 15) -> None:
        """Until the page shows ``words`` (after a navigation the page starts itself, e.g. a form posted to S3)."""
        import time

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if words in self.driver.execute_script("return document.body ? document.body.innerText : ''"):
                    return
            except Exception:  # noqa: BLE001 - the page is being replaced
                pass
            time.sleep(0.1)
        logs = self.driver.get_log("browser") if hasattr(self.driver, "get_log") else []
        raise AssertionError(f"{words!r} never showed; the page says {self.text()!r}; console: {logs}")

    def check(self, name: str) -> None:
        """axe-core finds nothing serious; the page fits a side panel; screenshots at both sizes."""
        ARTIFACTS.mkdir(exist_ok=True)
        for width, height in SIZES:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            overflow = self.driver.execute_script("return document.documentElement.scrollWidth")
            assert overflow <= width, f"{name} at {width}px is {overflow}px wide"
            sideways = self.driver.execute_script(  # a table that scrolls inside its box is no better
                "return Array.from(document.querySelectorAll('.table'))"
                ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.getAttribute('aria-label'))")
            assert not sideways, f"{name} at {width}px scrolls sideways: {sideways}"
            self.driver.save_screenshot(str(ARTIFACTS / f"desk-{name}-{width}.png"))
            self.driver.execute_script(self.axe)
            violations = self.driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
                "v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))));")
            bad = [v for v in violations if v["impact"] in ("serious", "critical")]
            assert not bad, f"{name} at {width}px: {bad}"
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def sign_in(self, key: str) -> None:
        from selenium.webdriver.common.keys import Keys

        field = self.find("#key")
        field.send_keys(key)
        field.send_keys(Keys.ENTER)  # keyboard only


def make_key(server, name: str, role: str = "agent") -> dict:
    made = server("POST", "/keys", json={"name": name, "role": role})
    assert made.status_code == 201, made.text
    return made.json()


@pytest.fixture(scope="module")
def agent(browser, server):
    return Agent(browser, server)


@pytest.fixture(scope="module")
def schema(server):
    for attribute in ({"label": "Desk tier", "key": "desk_tier", "type": "text", "options": ["gold", "silver"],
                       "highlight": True},
                      {"label": "Desk account", "key": "desk_account", "type": "text", "searchable": True}):
        made = server("POST", "/saveSchema", json=attribute)
        assert made.status_code in (200, 202, 409), made.text


def test_an_agents_day_from_sign_in_to_an_uploaded_file(agent, server, schema, tmp_path):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    ann = server("POST", "/saveContact", json={
        "first_name": "Desktina", "last_name": "Söderholm", "phone1": "+1 415 555 0842", "email": "desktina@example.com",
        "desk_tier": "gold", "desk_account": "AC-142"}).json()
    for leg in ({"leg_id": "ivr", "type": "voice", "interaction_type": "IVR", "start_time": "2026-11-22T10:00:00Z",
                 "ivr_trail": "main>billing"},
                {"leg_id": "agent", "type": "voice", "interaction_type": "agent", "agentId": "agent-7",
                 "csq": "Billing", "start_time": "2026-11-22T10:01:00Z", "wrap_up": "refund <promised>"}):
        saved = server("POST", "/interactions/updateOrSaveInteractionTree/DESK-CALL-1",
                       json={"interaction": leg, "ani": "4155550842"})
        assert saved.status_code == 200, saved.text
    key = make_key(server, "Ada Agent")

    # A CTI URL template pops the caller; the agent signs in once and lands on the card.
    agent.open(f"/desk/pop?ani={quote('+14155550842')}&callVariable3=x")
    assert "/desk/signin" in agent.driver.current_url
    agent.check("signin")
    agent.sign_in(key["key"])
    agent.wait_for("Calling from +14155550842")
    assert "Desktina Söderholm" in agent.text()
    agent.check("card")

    # Search by any part of the name; Enter submits.
    agent.open("/desk")
    box = agent.find("#q")
    box.send_keys("söderh")
    box.send_keys(Keys.ENTER)
    agent.wait_for("Results")
    assert "Desktina Söderholm" in agent.find("#found").text
    agent.check("search")
    agent.find("#found a").click()
    agent.wait_for(ann["id"])

    # Key facts first: the highlighted tier, above everything else.
    assert agent.find("#key-facts").text == "Desk tier gold"
    assert agent.find("#history").location["y"] < 720  # the history in view without scrolling

    # The history: a call expands to its tree.
    summary = agent.find("#history details summary")
    assert not agent.find("#history details").get_attribute("open")
    summary.send_keys(Keys.ENTER)
    assert agent.find("#history details").get_attribute("open")
    tree = agent.find("#history details").text
    assert "main>billing" in tree and "agent-7" in tree and "refund <promised>" in tree

    # Edit through the schema-driven form.
    agent.find("a[href$='/edit']").click()
    agent.check("edit")
    Select(agent.find("#f-desk_tier")).select_by_visible_text("silver")
    agent.find("#edit button[type=submit]").click()
    agent.wait_for("Saved.")
    assert "silver" in agent.find("#attributes").text

    # A second agent saves while this one edits: neither undoes the other.
    other = requests.Session()
    second = make_key(server, "Bo Agent")
    signed = other.post(server.url + "/desk/signin", data={"key": second["key"], "next": "/desk"},
                        allow_redirects=False, headers={"Origin": server.url})
    assert signed.status_code == 303

    def bo_saves(**changes):
        form = other.get(f"{server.url}/desk/contacts/{ann['id']}/edit").text
        fields = {name: unescape(value) for name, value in re.findall(r'name="(csrf|version|base)" value="([^"]*)"', form)}
        sent = other.post(f"{server.url}/desk/contacts/{ann['id']}", data=fields | changes, allow_redirects=False,
                          headers={"Origin": server.url})
        assert sent.status_code == 303, sent.text

    agent.find("a[href$='/edit']").click()
    Select(agent.find("#f-desk_tier")).select_by_visible_text("gold")
    account = agent.find("#f-desk_account")
    account.clear()
    account.send_keys("AC-A")
    bo_saves(email="desktina.s@example.com", phone2="+1 415 555 0843")  # meanwhile
    agent.find("#edit button[type=submit]").click()
    agent.wait_for("Saved.")
    stored = server("GET", f"/contacts/{ann['id']}").json()
    assert (stored["email"], stored["phone2"]) == ("desktina.s@example.com", "+1 415 555 0843")  # Bo's stay
    assert (stored["desk_tier"], stored["desk_account"]) == ("gold", "AC-A")  # and Ada's land

    # Both change the same field: Ada sees only that one, side by side, and chooses.
    agent.find("a[href$='/edit']").click()
    bo_saves(desk_account="AC-BO")
    mine = agent.find("#f-desk_account")
    mine.clear()
    mine.send_keys("AC-MINE")
    agent.find("#edit button[type=submit]").click()
    agent.wait_for("changed the same fields")
    conflict = agent.find("#stale").text
    assert "AC-BO" in conflict and "AC-MINE" in conflict and "E-mail" not in conflict
    agent.check("stale-save")
    assert server("GET", f"/contacts/{ann['id']}").json()["desk_account"] == "AC-BO"
    agent.find("input[name='choice.desk_account'][value='mine']").click()
    agent.find("#edit button[type=submit]").click()
    agent.wait_for("Saved.")
    stored = server("GET", f"/contacts/{ann['id']}").json()
    assert stored["desk_account"] == "AC-MINE" and stored["email"] == "desktina.s@example.com"

    # Upload from the browser straight to S3, then open it through its short link.
    document = tmp_path / "consent.txt"
    document.write_text("signed consent")
    agent.find("#file").send_keys(str(document))
    agent.find("#upload button[type=submit]").click()
    agent.wait_for("File uploaded.")
    link = agent.find("#files a")
    assert link.text == "consent.txt"
    opened = requests.get(link.get_attribute("href"), timeout=30)
    assert opened.status_code == 200 and opened.text == "signed consent"
    agent.open("/desk/calls/DESK-CALL-1")
    agent.check("call")

    # What was said: a note on the call and one on the contact, a wrap-up the history then shows.
    assert server("PUT", "/wrapup-codes", json={"codes": [{"code": "REFUND", "label": "Refund agreed"}]}
                  ).status_code == 200
    agent.open("/desk/calls/DESK-CALL-1")
    agent.find("#call-note-text").send_keys("Offered 3 months at 50%")
    agent.find("#call-notes button[type=submit]").click()
    agent.wait_for("Note saved.")
    assert "Offered 3 months at 50%" in agent.text()
    Select(agent.find("#wrapup-code")).select_by_visible_text("Refund agreed")
    agent.find("#wrapups button[type=submit]").click()
    agent.wait_for("Wrapped up.")
    agent.open(f"/desk/contacts/{ann['id']}")
    assert "Refund agreed" in agent.find("#key-facts").text and "Refund agreed" in agent.find("#history").text
    agent.find("#note-text").send_keys("Prefers e-mail after 16:00")
    agent.find("#notes button[type=submit]").click()
    agent.wait_for("Note saved.")
    assert "Prefers e-mail after 16:00" in agent.find("#notes").text

    # An error page is not a dead end.
    agent.open("/desk/contacts/" + "A" * 32)
    agent.wait_for("Cannot show this")
    agent.find("main a").click()
    agent.wait_for("Contacts")

    # Promise a callback from the card, find it on the home page, mark it done.
    agent.open(f"/desk/contacts/{ann['id']}")
    agent.find("#promise-form summary").click()
    agent.driver.execute_script("document.getElementById('due-date').value = '2026-12-08';")  # a locale-free date
    agent.find("#promise-note").send_keys("Call back about the refund")
    agent.find("#promise button[type=submit]").click()
    agent.wait_for("Follow-up saved.")
    assert "Call back about the refund" in agent.find("#followups").text
    agent.open("/desk")
    assert "Tue 8 Dec 2026 09:00 UTC" in agent.find("#my-followups").text
    agent.check("home")
    agent.find("#my-followups button[type=submit]").click()
    agent.wait_for("Follow-up done.")
    assert "Nothing open" in agent.find("#my-followups").text

    # Shortcuts, and the search box every page has: "/" to search from a card, "e" to edit, "n" for new.
    agent.open(f"/desk/contacts/{ann['id']}")
    body = agent.find("body")
    body.send_keys("?")
    assert agent.find("#shortcuts").get_attribute("open")
    agent.find("body").send_keys("e")
    agent.wait_for("Edit")
    assert agent.driver.current_url.endswith("/edit")
    agent.open(f"/desk/contacts/{ann['id']}")
    agent.find("body").send_keys("/")
    focused = agent.driver.switch_to.active_element
    assert focused.get_attribute("id") == "bar-q"
    focused.send_keys("desktina")
    focused.send_keys(Keys.ENTER)
    agent.wait_for("Results")
    assert "Desktina Söderholm" in agent.find("#found").text
    agent.find("body").send_keys("n")
    agent.wait_for("New contact")
    assert agent.driver.current_url.split("?")[0].endswith("/desk/new")


def test_unknown_and_shared_numbers_and_the_form_sent_twice(agent, server, schema):
    from selenium.webdriver.common.by import By

    agent.open("/desk/pop?ani=415-555-0899")
    if "/desk/signin" in agent.driver.current_url:
        agent.sign_in(make_key(server, "Cy Agent")["key"])
    agent.wait_for("New caller")
    assert agent.find("#f-phone1").get_attribute("value") == "415-555-0899"
    assert agent.find("#f-desk_account") and agent.find("#f-desk_tier")  # every schema attribute
    agent.check("new-caller")
    agent.find("#f-first_name").send_keys("Nea")
    sent = agent.find("#new-contact").get_attribute("outerHTML")
    agent.find("#new-contact button[type=submit]").click()
    agent.wait_for("Saved.")
    first = agent.driver.current_url
    # The same form sent again (a reload of the post, a second click): put it back and submit it.
    agent.driver.execute_script("document.querySelector('main').insertAdjacentHTML('beforeend', arguments[0]);"
                                "document.getElementById('new-contact').requestSubmit();", sent)
    agent.wait_for("Saved.")
    assert agent.driver.current_url == first
    found = server("GET", "/contacts?phone=4155550899").json()["items"]
    assert [c["first_name"] for c in found] == ["Nea"]

    for name in ("Parent", "Child"):
        server("POST", "/saveContact", json={"first_name": name, "phone1": "415-555-0866", "desk_account": f"AC-{name}"})
    agent.open("/desk/pop?ani=4155550866")
    rows = agent.driver.find_elements(By.CSS_SELECTOR, "#choices tbody tr")
    assert len(rows) == 2 and {"AC-Parent", "AC-Child"} <= {c.text for r in rows for c in
                                                            r.find_elements(By.TAG_NAME, "td")}
    agent.check("chooser")


def test_two_records_of_one_caller_merged_from_the_chooser_and_the_merge_undone(agent, server, schema):
    for first, email in (("Kaisa", "kaisa@example.com"), ("Kaisa-Liisa", "kl@example.org")):
        server("POST", "/saveContact", json={"first_name": first, "last_name": "Aho", "phone1": "415-555-0877",
                                             "email": email})
    agent.open("/desk/pop?ani=4155550877")
    if "/desk/signin" in agent.driver.current_url:
        agent.sign_in(make_key(server, "Di Agent")["key"])
        agent.open("/desk/pop?ani=4155550877")
    agent.wait_for("Several contacts share this number")
    agent.find("#merge-these").click()
    agent.wait_for("Choose the values to keep")
    agent.check("merge")
    stays, goes = (server("GET", f"/contacts/{agent.find(f'#merge input[name={role}]').get_attribute('value')}").json()
                   for role in ("survivor", "merged"))
    for radio in agent.driver.find_elements("css selector", "#differing input[type=radio]"):
        if radio.get_attribute("name") == "keep_email" and radio.get_attribute("value") == goes["id"]:
            radio.click()  # keep the other record's address
    agent.find("#merge button[type=submit]").click()
    agent.wait_for("Merged.")
    survivor = agent.driver.current_url.split("/desk/contacts/")[1].split("?")[0]
    assert survivor == stays["id"]
    assert "Also reached at" in agent.text() and stays["email"] in agent.text()  # the address it gave up
    assert server("GET", "/contacts?phone=4155550877").json()["items"][0]["email"] == goes["email"]
    agent.check("merged-card")
    agent.find("#undo-merge button[type=submit]").click()
    agent.wait_for("Merge undone")
    assert server("GET", f"/contacts/{goes['id']}").json()["first_name"] == goes["first_name"]
    assert server("GET", f"/contacts/{stays['id']}").json()["email"] == stays["email"]


def test_an_open_edit_form_notices_a_colleagues_save_and_reloads_keeping_the_typing(agent, server, schema):
    ann = server("POST", "/saveContact", json={"first_name": "Liv", "last_name": "Lund", "phone1": "415-555-0855",
                                                 "desk_account": "AC-LIV"}).json()
    agent.open(f"/desk/contacts/{ann['id']}/edit")
    if "/desk/signin" in agent.driver.current_url:
        agent.sign_in(make_key(server, "Eve Agent")["key"])
        agent.open(f"/desk/contacts/{ann['id']}/edit")
    assert not agent.find("#live").is_displayed()
    account = agent.find("#f-desk_account")
    account.clear()
    account.send_keys("AC-TYPED")  # typing, not saved yet
    changed = server("PUT", f"/contacts/{ann['id']}", json={"email": "liv@example.com"})  # a colleague saves
    assert changed.status_code == 200
    agent.wait_for("Someone else changed this contact")
    agent.check("live")
    agent.find("#live button").click()
    agent.wait_for("Edit Liv Lund")
    assert agent.find("#f-desk_account").get_attribute("value") == "AC-TYPED"  # the typing is kept
    assert agent.find("#f-email").get_attribute("value") == "liv@example.com"  # and the colleague's change shows
    agent.find("#edit button[type=submit]").click()
    agent.wait_for("Saved.")
    stored = server("GET", f"/contacts/{ann['id']}").json()
    assert (stored["desk_account"], stored["email"]) == ("AC-TYPED", "liv@example.com")


def test_a_save_after_the_session_ended_keeps_the_typing_through_signing_in_again(agent, server, schema):
    liv = server("POST", "/saveContact", json={"first_name": "Mo", "last_name": "Berg", "phone1": "415-555-0866",
                                                 "desk_account": "AC-MO"}).json()
    key = make_key(server, "Ida Agent")
    agent.open("/desk")
    if "/desk/signin" not in agent.driver.current_url:
        agent.find(".bar button[type=submit]").click()
        agent.wait_for("You are signed out.")
    agent.open("/desk")
    agent.sign_in(key["key"])
    agent.wait_for("Signed in as Ida Agent")
    agent.open(f"/desk/contacts/{liv['id']}/edit")
    account = agent.find("#f-desk_account")
    account.clear()
    account.send_keys("AC-KEPT")
    changed = server("PUT", f"/contacts/{liv['id']}", json={"email": "mo@example.com"})  # a colleague, meanwhile
    assert changed.status_code == 200
    assert server("DELETE", f"/keys/{key['id']}").status_code == 200  # the session ends while she types
    agent.find("#edit button[type=submit]").click()
    agent.wait_for("Your session ended before this was saved")
    agent.check("signin")
    agent.sign_in(make_key(server, "Ida Agent")["key"])
    agent.wait_for("What you typed before signing in again is back")
    assert f"/desk/contacts/{liv['id']}/edit" in agent.driver.current_url
    assert agent.find("#f-desk_account").get_attribute("value") == "AC-KEPT"
    assert agent.find("#f-email").get_attribute("value") == "mo@example.com"  # not undone by the old value
    agent.find("#edit button[type=submit]").click()
    agent.wait_for("Saved.")
    stored = server("GET", f"/contacts/{liv['id']}").json()
    assert (stored["desk_account"], stored["email"]) == ("AC-KEPT", "mo@example.com")
    agent.open(f"/desk/contacts/{liv['id']}/edit")  # saved: nothing comes back a second time
    assert agent.find("#f-desk_account").get_attribute("value") == "AC-KEPT"
    assert not agent.driver.find_elements("css selector", "#draft-back")


def test_sign_out_and_a_revoked_key_end_the_session(agent, server):
    key = make_key(server, "Di Agent")
    agent.open("/desk")
    if "/desk/signin" not in agent.driver.current_url:
        agent.find(".bar button[type=submit]").click()  # sign out whoever is signed in
        agent.wait_for("You are signed out.")
    agent.open("/desk")
    agent.sign_in(key["key"])
    agent.wait_for("Signed in as Di Agent")
    agent.find(".bar button[type=submit]").click()
    agent.wait_for("You are signed out.")
    agent.open("/desk")
    assert "/desk/signin" in agent.driver.current_url

    agent.sign_in(key["key"])
    agent.wait_for("Signed in as Di Agent")
    assert server("DELETE", f"/keys/{key['id']}").status_code == 200
    agent.driver.refresh()
    agent.wait_for("Sign in to the desk")
    assert "/desk/signin" in agent.driver.current_url


def test_an_agent_signs_in_with_the_company_account_and_out_of_the_provider_too(agent, server):
    """make run OIDC=1's test provider stands in for the company's (its page's
    stylesheet comes from a CDN, which this browser is not let fetch)."""
    from selenium.webdriver.common.by import By

    agent.driver.execute_cdp_cmd("Network.enable", {})
    agent.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*cdn.jsdelivr.net*"]})
    agent.open("/desk")
    if "/desk/signin" not in agent.driver.current_url:
        agent.find(".bar button[type=submit]").click()
        agent.wait_for("You are signed out.")
        agent.open("/desk")
    agent.wait_for("Sign in with your company account")
    agent.check("signin-sso")
    agent.find("#sso").click()
    agent.wait_for("Authorize Client")
    agent.driver.find_element(By.CSS_SELECTOR, "button[name=sub][value='agent@example.com']").click()
    agent.wait_for("Signed in as Alex Agent (agent@example.com)")
    assert agent.driver.current_url.startswith(server.url + "/desk")

    agent.find(".bar button[type=submit]").click()  # sign out: ours, then the provider's
    agent.wait_for("End Session")
    agent.driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    agent.wait_for("You are signed out.")
    agent.open("/desk")
    assert "/desk/signin" in agent.driver.current_url

    # Someone in no desk group gets a clear refusal, and no session.
    agent.find("#sso").click()
    agent.wait_for("Authorize Client")
    agent.driver.find_element(By.CSS_SELECTOR, "button[name=sub][value='visitor@example.com']").click()
    agent.wait_for("in no group that may use the desk")
    agent.open("/desk")
    assert "/desk/signin" in agent.driver.current_url
    agent.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})

