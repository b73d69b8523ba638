"""The callers ``make load`` seeds and then calls as (shared by ``bench/load.py``
and ``bench/locustfile.py``; no Locust here: importing it patches the
standard library, which the driver must not have)."""
from __future__ import annotations

NAMES = ("Anna", "Bo", "Carla", "Dmitri", "Eva", "Farah", "Goran", "Hanna", "Ilkka", "Jonas", "Karin", "Lars")
LAST_NAMES = ("Berg", "Koski", "Lund", "Nieminen", "Olsen", "Quarrington", "Strand", "Virta")


def seeded_number(n: int) -> str:
    return f"+1415550{n:04d}"


def seeded_contact(n: int) -> dict[str, str]:
    return {"first_name": NAMES[n % len(NAMES)], "last_name": LAST_NAMES[n % len(LAST_NAMES)],
            "phone1": seeded_number(n)}
