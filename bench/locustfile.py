"""The load ``make load`` puts on a CIM deployment (Locust): what a contact
center sends, in its proportions. Most of it is IVR lookups of callers who
are in the table; then the legs of their calls; agents searching by name;
now and then a new contact. ``bench/load.py`` seeds the contacts and runs it.

Settings (environment): CIM_LOAD_KEY (an admin key of the target),
CIM_LOAD_CONTACTS (how many seeded callers: +1 415 55x xxxx, first names
from NAMES).
"""
from __future__ import annotations

import os
import random
import uuid
from urllib.parse import quote

from load_people import LAST_NAMES, NAMES, seeded_number  # beside this file: Locust puts its folder on the path
from locust import HttpUser, between, task

SEEDED = int(os.environ.get("CIM_LOAD_CONTACTS", "200"))


class ContactCenter(HttpUser):
    wait_time = between(0.05, 0.25)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {os.environ['CIM_LOAD_KEY']}"

    @task(10)
    def ivr_lookup(self) -> None:
        ani = quote(seeded_number(random.randrange(SEEDED)))
        self.client.get(f"/contacts/lookup?ani={ani}", name="IVR lookup")

    @task(5)
    def leg_save(self) -> None:
        call = uuid.uuid4().hex.upper()
        self.client.post(f"/interactions/updateOrSaveInteractionTree/{call}", name="leg save", json={
            "interaction": {"leg_id": "ivr", "type": "voice", "ivr_trail": "main>billing"},
            "ani": seeded_number(random.randrange(SEEDED))})

    @task(3)
    def desk_search(self) -> None:
        name = f"{random.choice(NAMES)[:3]} {random.choice(LAST_NAMES)[:2]}"
        self.client.get(f"/contacts?name={quote(name)}&limit=25", name="desk search")

    @task(1)
    def contact_create(self) -> None:
        number = f"+1650{random.randrange(2_000_000, 9_999_999):07d}"  # a new caller: not seeded
        self.client.post("/saveContact", name="contact create", json={
            "first_name": random.choice(NAMES), "last_name": random.choice(LAST_NAMES), "phone1": number})
