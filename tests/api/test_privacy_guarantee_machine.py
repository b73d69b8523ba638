"""The standing guarantee: whatever interleaving of creates, updates, legs,
Sinch pushes, Connect saves, bulk rows, erasures and access requests,
after a person is erased nothing anywhere (table, bucket, logs) holds their
identifiers in any form, and an access document holds only its subject.

A hypothesis state machine drives the service through its doors; people
get fresh numbers, addresses and names, so every example adds to one table
and the check covers every person erased in any earlier example too."""
from __future__ import annotations

import itertools
import json
import logging
import random
import string

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.api.conftest import body, erase
from tests.api.leftovers import Person, leftovers
from tests.api.test_rci_sync import SECRET, record
from tests.fakes.contact_center import push_headers

pytestmark = pytest.mark.takes(17)
_serial = itertools.count(100)


def fresh_person() -> Person:
    n = next(_serial)
    letters = "".join(string.ascii_lowercase[(n // 26 ** i) % 26] for i in range(3))
    first, last = f"Qyv{letters}", f"Wrox{letters}"
    return Person(first, last, phones=[f"+1212555{n:04d}", f"+1646555{n:04d}"],
                  emails=[f"{first.lower()}.{last.lower()}@example.com"])


def formats(e164: str) -> list[str]:
    """The ways a writer may type the number."""
    national = e164[-10:]
    return [e164, national, f"({national[:3]}) {national[3:6]}-{national[6:]}", f"+1 {national[:3]} {national[3:]}"]


class LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, entry: logging.LogRecord) -> None:
        self.lines.append(self.format(entry))


class PrivacyMachine(RuleBasedStateMachine):
    api = None
    logs: LogLines | None = None
    erased_ever: list[Person] = []
    people = Bundle("people")

    def __init__(self) -> None:
        super().__init__()
        self.contacts: dict[str, list[str]] = {}  # a person's first name -> contact ids
        self.erased: set[str] = set()
        self.covered: list[Person] = []  # what each erasure of this example promised to remove
        self.calls = itertools.count()
        self.check_due = False
        self.logs_from = len(self.logs.lines) if self.logs else 0

    # --- writers --------------------------------------------------------------

    @rule(target=people)
    def a_new_person(self) -> Person:
        person = fresh_person()
        self.contacts[person.first_name] = []
        return person

    @rule(person=people, pick=st.randoms(use_true_random=False))
    def create(self, person: Person, pick: random.Random) -> None:
        self.check_due = person.first_name in self.erased
        reply = self.api.post("/saveContact", {
            "first_name": person.first_name, "last_name": person.last_name,
            "phone1": pick.choice(formats(person.phones[0])), "phone2": person.phones[1],
            "email": person.emails[0].upper() if pick.random() < 0.3 else person.emails[0]})
        self._expect_write(person, reply, "created")

    @rule(person=people)
    def bulk_row(self, person: Person) -> None:
        self.check_due = person.first_name in self.erased
        reply = self.api.post("/contacts/bulk", {"contacts": [
            {"first_name": person.first_name, "last_name": person.last_name, "phone1": person.phones[0],
             "phone2": person.phones[1], "email": person.emails[0]}]})
        assert reply.status_code < 500, reply.body
        result = body(reply)["results"][0]
        self._expect_write(person, None, result.get("status") or result.get("outcome"), result.get("id"))

    @rule(person=people)
    def update(self, person: Person) -> None:
        self.check_due = person.first_name in self.erased
        for contact_id in self.contacts.get(person.first_name, [])[-1:]:
            reply = self.api.put(f"/contacts/{contact_id}", {"last_name": person.last_name,
                                                             "phone2": person.phones[1]})
            assert reply.status_code in (200, 404), reply.body

    @rule(person=people, pick=st.randoms(use_true_random=False), linked=st.booleans())
    def leg(self, person: Person, pick: random.Random, linked: bool) -> None:
        self.check_due = person.first_name in self.erased
        sent = {"interaction": {"leg_id": "ivr", "type": "voice", "wrap_up": "asked about the bill"},
                "ani": pick.choice(formats(pick.choice(person.phones)))}
        known = self.contacts.get(person.first_name)
        if linked and known:
            sent["contact_id"] = known[-1]
        reply = self.api.post(f"/interactions/updateOrSaveInteractionTree/M-{next(self.calls)}-{pick.random()}"[:80],
                              sent)
        assert reply.status_code in (200, 404), reply.body  # 404: linked to a contact erased meanwhile

    @rule(person=people, email=st.booleans())
    def sinch_push(self, person: Person, email: bool) -> None:
        self.check_due = person.first_name in self.erased
        n = next(_serial)
        found = (record(n, type="EMAILIN", channel="EMAIL", source=person.emails[0], destination="service@bank.example")
                 if email else record(n, source=person.phones[1], destination="320"))
        raw = json.dumps([found]).encode()
        reply = self.api.as_key(None).request("POST", "/rci/contacts", raw=raw, headers=push_headers(SECRET, raw))
        assert reply.status_code == 200 and body(reply)["results"][0]["outcome"] == "stored", reply.body

    @rule(person=people)
    def connect_save(self, person: Person) -> None:
        self.check_due = person.first_name in self.erased
        contact_id = f"m-{next(_serial)}"
        answer = self.api.client.lambda_.invoke("connect_save", {"Name": "ContactFlowEvent", "Details": {
            "ContactData": {"ContactId": contact_id, "Channel": "VOICE",
                            "CustomerEndpoint": {"Address": person.phones[0], "Type": "TELEPHONE_NUMBER"}},
            "Parameters": {"ivr_trail": "main>billing"}}}).payload
        assert answer.get("saved") in ("stored", "updated", "unchanged"), answer

    # --- privacy ----------------------------------------------------------------

    @rule(person=people, by=st.sampled_from(["phone", "email", "contact_id"]))
    def erase(self, person: Person, by: str) -> None:
        known = self.contacts.get(person.first_name) or []
        asked = ({"contact_id": known[0]} if by == "contact_id" and known else
                 {"email": person.emails[0]} if by == "email" else {"phone": formats(person.phones[0])[2]})
        assert erase(self.api, asked)["state"] == "done"
        # With a contact, the service knows all her identifiers (her contacts share her e-mail);
        # without one, only the identifier asked about is hers for certain.
        covered = person if known else Person("", "", phones=[person.phones[0]] if "phone" in asked else [],
                                                emails=[person.emails[0]] if "email" in asked else [])
        self.erased.add(person.first_name)
        self.contacts[person.first_name] = []
        PrivacyMachine.erased_ever.append(covered)
        self.covered.append(covered)
        self.check_due = True

    @rule(person=people)
    def access(self, person: Person) -> None:
        reply = self.api.post("/privacy/access-requests", {"phone": person.phones[0]})
        assert reply.status_code == 200, reply.body
        document = json.dumps(body(reply)["document"]).lower()
        others = [p for p in self.contacts if p != person.first_name]
        assert not [o for o in others if o.lower() in document], "another person in the access document"
        if person.first_name in self.erased:
            assert body(reply)["document"]["contacts"] == []

    # --- the guarantee ------------------------------------------------------------

    @invariant()
    def nothing_of_an_erased_person_anywhere(self) -> None:
        """Checked after each erasure and after each write that named an erased
        person (the only steps that could leave one behind), and at the end."""
        if self.check_due:
            self.check_due = False
            self.check()

    def teardown(self) -> None:
        self.check()

    def check(self) -> None:
        mine = self.covered
        logs = "\n".join(self.logs.lines[self.logs_from:])
        for person in mine:
            left = leftovers(person, logs)
            assert left == [], left[:3]

    def _expect_write(self, person: Person, reply, outcome: str | None, made_id: str | None = None) -> None:
        if reply is not None:
            assert reply.status_code in (200, 400), reply.body
            refused = reply.status_code == 400
            made_id = None if refused else body(reply)["id"]
        else:
            refused = outcome != "created"
        if person.first_name in self.erased:
            assert refused, "an erased person was stored again"
        elif made_id:
            self.contacts[person.first_name].append(made_id)



def test_no_interleaving_leaves_an_erased_person_anywhere(api, signed):
    lines = LogLines()
    lines.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(lines)
    old_level = root.level
    root.setLevel(logging.INFO)
    PrivacyMachine.api, PrivacyMachine.logs, PrivacyMachine.erased_ever = api, lines, []
    try:
        run_state_machine_as_test(PrivacyMachine, settings=settings(
            # No shrinking: a failure prints its steps as they ran (shrinking a table-backed run takes minutes).
            max_examples=10, stateful_step_count=18, deadline=None, derandomize=True,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    finally:
        root.removeHandler(lines)
        root.setLevel(old_level)
    assert PrivacyMachine.erased_ever, "no example erased anyone: the machine proved nothing"
