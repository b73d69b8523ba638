"""A name search costs the same however many people share the name: a page
of 25 is at most 2 DynamoDB calls and 3 read units (counted as DynamoDB
counts them: the size of every entry read, filtered away or not) for one
word, and for two when one of them is finished ("maria garcia", "maria
gar"), with half the people called Maria and half of them Garcia; and
that cost does not move when the table triples."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.api.conftest import body

pytestmark = pytest.mark.takes(35)

FIRST = ["Maria", "Ana"]
LAST = ["Garcia", "Lopez"]
QUERIES = ("maria", "garcia", "maria garcia", "garcia maria", "maria gar", "garcia m")


def seed(api, start: int, count: int) -> None:
    for at in range(start, start + count, 100):
        rows = [{"first_name": FIRST[n % len(FIRST)], "last_name": LAST[n // len(FIRST) % len(LAST)],
                 "phone1": f"+1 415 {n // 10000 + 200:03d} {n % 10000:04d}", "email": f"person{n}@example.com",
                 "city": "Sevilla"} for n in range(at, min(at + 100, start + count))]
        assert body(api.post("/contacts/bulk", {"contacts": rows}))["created"] == len(rows)


def cost(api, query: str) -> tuple[int, list[str], float]:
    reply = api.get(f"/contacts?name={quote(query)}&limit=25")
    assert reply.status_code == 200, reply.body
    return len(body(reply)["items"]), api.calls, api.read_units


def test_a_page_of_a_common_name_costs_the_same_at_three_times_the_people(api):
    from tests.api.conftest import add_attributes

    add_attributes(api, city="text")
    seed(api, 0, 120)
    small = {q: cost(api, q) for q in QUERIES}
    seed(api, 120, 240)
    large = {q: cost(api, q) for q in QUERIES}
    for query in QUERIES:
        found, calls, units = large[query]
        assert found == 25, (query, large[query])  # a full page: there are more than 25 of each
        assert len(calls) <= 2 and "BatchGetItem" not in calls and units <= 3.0, (query, large[query])
        assert large[query] == small[query], (query, small[query], large[query])


def test_a_contact_stored_before_pairs_is_found_until_the_upgrade_gives_it_them(api, table_items):
    """A table written before index format 4: its contacts have name entries
    without pairs (nor the contact on them). A search of two words still
    finds them, once, and after the upgrade job from their pairs, in one Query."""
    from chalicelib.core.settings import get_settings
    from chalicelib.services.schema import schema
    from chalicelib.store import aws as store_aws
    from chalicelib.store import schema as schema_store

    old = body(api.post("/saveContact", {"first_name": "Maria", "last_name": "Garcia"}))
    new = body(api.post("/saveContact", {"first_name": "Maria", "last_name": "Garcias"}))
    db, table = store_aws.dynamodb(), get_settings().table_name
    for item in table_items():  # ``old`` as format 3 wrote it
        key = {"PK": item["PK"], "SK": item["SK"]}
        if item["PK"]["S"].startswith("NAMEPAIR#") and item["SK"]["S"].endswith(old["id"]):
            db.delete_item(TableName=table, Key=key)
        elif item["PK"]["S"].startswith("NAME#") and item["SK"]["S"].endswith(old["id"]):
            db.update_item(TableName=table, Key=key, UpdateExpression="REMOVE paired, contact")
        elif item["PK"]["S"] == f"CONTACT#{old['id']}":
            terms = [t for t in item["terms"]["L"] if t["L"][0]["S"] != "name_pair"]
            db.update_item(TableName=table, Key=key, UpdateExpression="SET terms = :t REMOVE index_format",
                           ExpressionAttributeValues={":t": {"L": terms}})
    schema_store.set_index_format(3)  # the table as format 3 left it
    found = body(api.get("/contacts?name=maria%20garcia"))["items"]
    assert sorted(c["id"] for c in found) == sorted([old["id"], new["id"]])  # each once
    # The pairs, the table's format (not reached: no beginning entries to trust), the filtered read of
    # "maria…"; the old one's entries carry no contact: read after.
    assert api.calls == ["Query", "GetItem", "Query", "BatchGetItem"]

    job = schema.reindex_for_the_index_format()
    assert job is not None and schema.run_job(job.id).changed == 1  # the old one only
    found = body(api.get("/contacts?name=maria%20garcia"))["items"]
    # Both exact pairs now, in the order of the word they were found under ("garcia", "garcias"); then
    # (the format reached, read once) the names where "maria" only begins a word and long names (none):
    # nothing read after.
    assert [c["id"] for c in found] == [old["id"], new["id"]]
    assert api.calls == ["Query", "GetItem", "Query", "Query"]


# Realistic shapes: compound first names ("Maria Jose"), two beginnings typed, and long names whose
# later words lie past the paired ones ("Maria de los Angeles Garcia Lopez").
GIVEN = ["Maria", "Mario", "Marta", "Ana"]
FAMILY = ["Garcia", "Garrido", "Lopez"]


def person(n: int) -> dict[str, str]:
    first = GIVEN[n % len(GIVEN)] + (" Jose" if n // len(GIVEN) % 2 == 0 else "")
    last = FAMILY[n // len(GIVEN) % len(FAMILY)]
    if n % 10 == 9:
        first, last = "Maria de los Angeles", "Garcia Lopez"
    return {"first_name": first, "last_name": last, "phone1": f"+1 415 {n // 10000 + 300:03d} {n % 10000:04d}"}


def seed_people(api, start: int, count: int) -> dict[str, list[str]]:
    from chalicelib.domain import names

    made = {}
    for at in range(start, start + count, 100):
        rows = [person(n) for n in range(at, min(at + 100, start + count))]
        reply = body(api.post("/contacts/bulk", {"contacts": rows}))
        assert reply["created"] == len(rows)
        made |= {r["id"]: names.name_words(row["first_name"], row["last_name"]) for r, row in zip(reply["results"], rows)}
    return made


def every_page(api, query: str) -> list[str]:
    found, cursor = [], None
    while True:
        reply = api.get(f"/contacts?name={quote(query)}&limit=25" + (f"&cursor={quote(cursor)}" if cursor else ""))
        assert reply.status_code == 200, reply.body
        found += [c["id"] for c in body(reply)["items"]]
        cursor = body(reply).get("cursor")
        if not cursor:
            return found


def test_two_beginnings_and_three_words_read_only_matches_at_twice_the_people(api):
    """"mar gar" (no word finished: the beginning entries keyed "gar", the range
    "mar…") and "maria jose gar" (two words whole: the triples of "jose" and
    "maria") fill a page of 25 in at most two Queries and three read units,
    the same with twice the people."""
    seed_people(api, 0, 360)
    every_page(api, "mar gar")  # the table's index format, read once a container
    queries = ("mar gar", "gar mar", "maria jose gar", "jose maria gar", "marta garr")
    small = {q: cost(api, q) for q in queries}
    seed_people(api, 360, 360)
    large = {q: cost(api, q) for q in queries}
    for query in queries:
        found, calls, units = large[query]
        assert found == 25, (query, large[query])
        assert len(calls) <= 2 and units <= 3.0 and "BatchGetItem" not in calls, (query, large[query])
        assert large[query] == small[query], (query, small[query], large[query])


def test_every_phase_finds_each_matching_name_once(api):
    """Paging to the end of each search gives exactly the names that match,
    each once: exact triples and pairs, two beginnings, a short word (the
    filtered read), and long names found by a word past their paired ones."""
    from chalicelib.domain import names

    people = seed_people(api, 0, 200)
    for query in ("mar gar", "maria jose gar", "ange lop", "lopez maria", "maria g", "mari garc", "ana jose",
                  "de los", "garcia lopez angeles"):
        wanted = names.words(query)
        expected = sorted(i for i, words in people.items() if names.matches(wanted, words))
        found = every_page(api, query)
        assert len(found) == len(set(found)), (query, "a contact twice")
        assert sorted(found) == expected, (query, len(found), len(expected))
        assert expected, query  # each query finds someone: the test can fail
