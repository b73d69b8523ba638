"""Two writers, one version: exactly one wins. And the health check."""
from __future__ import annotations

import threading

from chalicelib.core.settings import get_settings
from chalicelib.store import aws
from chalicelib.store import contacts as store
from tests.api.conftest import body


def test_concurrent_requests_each_answer_their_own_body(api, monkeypatch):
    """Requests answered at once on threads (``make run``'s server, the test
    client) each read their own request: eight callers saved together are
    eight contacts with the names they sent."""
    both_parsed = threading.Barrier(8)
    names = [f"Caller{n}" for n in range(8)]
    answers: dict[str, dict] = {}

    def save(name: str) -> None:
        both_parsed.wait(timeout=10)
        answers[name] = body(api.post("/saveContact", {"first_name": name}))

    threads = [threading.Thread(target=save, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert {name: answer.get("first_name") for name, answer in answers.items()} == {n: n for n in names}


def test_two_concurrent_updates_of_the_same_version_one_wins_one_gets_412(api, monkeypatch):
    contact = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "415-555-0100"}))
    # Both requests read version 1 before either writes: the race the
    # transaction's condition must settle.
    both_read = threading.Barrier(2)
    real_get = store.get_or_redirect
    waited = set()

    def get_then_wait(contact_id):
        found = real_get(contact_id)
        if threading.get_ident() not in waited:  # the first read of each request; a retry reads freely
            waited.add(threading.get_ident())
            both_read.wait(timeout=10)
        return found

    monkeypatch.setattr(store, "get_or_redirect", get_then_wait)
    replies = {}

    def put(name):
        replies[name] = api.client.http.put(
            f"/contacts/{contact['id']}", body=f'{{"first_name": "{name}", "version": 1}}',
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {api.key}"})

    threads = [threading.Thread(target=put, args=(n,)) for n in ("Anna", "Hanna")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    statuses = sorted(r.status_code for r in replies.values())
    assert statuses == [200, 412]
    winner = next(n for n, r in replies.items() if r.status_code == 200)
    monkeypatch.setattr(store, "get_or_redirect", real_get)
    stored = body(api.get(f"/contacts/{contact['id']}"))
    assert stored["first_name"] == winner and stored["version"] == 2


def test_without_a_version_a_concurrent_edit_is_merged_not_lost(api, monkeypatch):
    contact = body(api.post("/saveContact", {"first_name": "Ann", "phone1": "415-555-0100"}))
    real_get = store.get_or_redirect
    raced = []

    def get_with_a_rival(contact_id):
        found = real_get(contact_id)
        if not raced:  # someone else writes between our read and our write
            raced.append(True)
            api.client.http.put(f"/contacts/{contact_id}", body='{"last_name": "Lee"}',
                                headers={"Content-Type": "application/json", "Authorization": f"Bearer {api.key}"})
        return found

    monkeypatch.setattr(store, "get_or_redirect", get_with_a_rival)
    reply = api.put(f"/contacts/{contact['id']}", {"email": "ann@example.com"})
    assert reply.status_code == 200
    stored = body(reply)
    assert stored["last_name"] == "Lee" and stored["email"] == "ann@example.com" and stored["version"] == 3


def test_health_is_ok_while_the_table_answers_and_503_when_it_does_not(api):
    reply = api.get("/health")
    assert reply.status_code == 200 and body(reply) == {"status": "ok"}
    aws.dynamodb().delete_table(TableName=get_settings().table_name)
    reply = api.get("/health")
    assert reply.status_code == 503 and body(reply)["status"] == "unavailable"


def test_a_missing_table_is_503_not_500_on_every_route(api):
    aws.dynamodb().delete_table(TableName=get_settings().table_name)
    assert api.get("/contacts/" + "A" * 32).status_code == 503
    assert api.post("/saveContact", {"first_name": "A"}).status_code == 503


def test_the_browsers_favicon_question_is_answered_without_a_key_or_a_read(api):
    anyone = api.as_key(None)
    asked = anyone.get("/favicon.ico")
    assert asked.status_code == 204 and asked.headers["Cache-Control"] == "public, max-age=86400"
    assert anyone.calls == []
