"""CloudWatch metrics: each request leaves an Embedded Metric Format line on
stdout (what CloudWatch Logs turns into metrics), with no personal data."""
from __future__ import annotations

import json

from tests.api.conftest import body
from tests.api.test_rci_sync import center, configured  # noqa: F401 - the fake contact center


def emf_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"_aws"')]


def test_every_request_is_measured_by_route_and_errors_and_lookups_by_kind(api, capsys):
    capsys.readouterr()
    made = body(api.post("/saveContact", {"first_name": "Mira", "last_name": "Koski", "phone1": "+1 415 555 0177"}))
    create_calls = len(api.calls)
    api.get("/contacts/lookup?ani=%2B14155550177")
    api.get("/contacts/lookup?ani=%2B14155550199")
    api.get("/contacts/" + "F" * 32)  # 404
    lines = emf_lines(capsys.readouterr().out)

    requests = [m for m in lines if "route" in m]
    by_route = {m["route"]: m for m in requests}
    created = by_route["POST /saveContact"]
    assert created["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "CIM"
    assert created["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["route", "service"]]
    assert created["Requests"] == [1.0] and created["DynamoDBCalls"] == [float(create_calls)]
    assert created["Latency"][0] > 0 and "ClientErrors" not in created
    missing = by_route["GET /contacts/{contact_id}"]
    assert missing["ClientErrors"] == [1.0]
    errors = [m for m in lines if "code" in m]
    assert [(m["code"], m["Errors"]) for m in errors] == [("NotFound", [1.0])]
    lookups = [(m["match"], m["via"]) for m in lines if "Lookups" in m]
    assert lookups == [("unique", "http"), ("none", "http")]
    timed = [m for m in lines if "LookupLatency" in m]
    assert len(timed) == 2 and all(m["LookupLatency"][0] > 0 for m in timed)
    assert all(d == ["service"] for m in timed for d in m["_aws"]["CloudWatchMetrics"][0]["Dimensions"])
    text = json.dumps(lines)
    assert not [w for w in ("4155550177", "555 0177", "Mira", "Koski", made["id"]) if w in text]


def test_a_connect_lookup_is_counted_as_connect_and_metrics_can_be_turned_off(api, capsys, monkeypatch):
    from chalicelib.core import metrics
    from chalicelib.core.settings import get_settings

    capsys.readouterr()
    event = {"Name": "ContactFlowEvent", "Details": {"ContactData": {
        "ContactId": "c-1", "CustomerEndpoint": {"Address": "+14155550100", "Type": "TELEPHONE_NUMBER"}},
        "Parameters": {}}}
    api.client.lambda_.invoke("connect_lookup", event)
    assert [(m["match"], m["via"]) for m in emf_lines(capsys.readouterr().out) if "Lookups" in m] == [
        ("none", "connect")]

    monkeypatch.setenv("CIM_METRICS", "off")
    get_settings.cache_clear()
    metrics._powertools.cache_clear()
    api.get("/contacts/lookup?ani=%2B14155550100")
    assert emf_lines(capsys.readouterr().out) == []
    monkeypatch.undo()
    get_settings.cache_clear()
    metrics._powertools.cache_clear()


def test_each_pull_of_the_contact_center_reports_how_far_behind_the_store_may_be(api, request, capsys):
    """SyncLagSeconds: since the start of the last pull that read everything
    up to then; a failing pull lets it grow (the SyncLag alarm watches it)."""
    import time

    from tests.api.test_rci_sync import record, sync

    contact_center = request.getfixturevalue("center")
    contact_center.records = [record(1, minutes_ago=5)]
    capsys.readouterr()
    assert sync(api)["last_error"] is None
    caught_up = [m["SyncLagSeconds"][0] for m in emf_lines(capsys.readouterr().out) if "SyncLagSeconds" in m]
    assert len(caught_up) == 1 and 0 <= caught_up[0] < 5

    time.sleep(1.1)
    contact_center.fail_pages = {0: 10}  # the contact center answers 500s now
    failed = api.post("/rci/sync")
    assert failed.status_code == 200 and body(failed)["last_error"]
    behind = [m["SyncLagSeconds"][0] for m in emf_lines(capsys.readouterr().out) if "SyncLagSeconds" in m]
    assert len(behind) == 1 and behind[0] >= 1.0 > caught_up[0]
