"""Bulk: POST /contacts/bulk, and `cim import` / `cim export` of CSV files."""
from __future__ import annotations

import csv
import io
import json

from chalicelib.tools import transfer
from tests.api.conftest import add_attributes, body


def test_bulk_create_gives_per_item_results_and_a_bad_item_blocks_nothing(api):
    add_attributes(api, account_no={"type": "text", "unique": True})
    api.post("/saveContact", {"first_name": "Taken", "account_no": "AC-1"})
    items = [{"first_name": "Ann", "phone1": "415-555-0100"}, {"phone1": "not a phone"},
             {"first_name": "Dup", "account_no": "AC-1"}, "text", {"first_name": "Bo", "account_no": "AC-2"}]
    reply = api.post("/contacts/bulk", {"contacts": items})
    assert reply.status_code == 200
    result = body(reply)
    assert [r["outcome"] for r in result["results"]] == ["created", "rejected", "rejected", "rejected", "created"]
    assert "phone1" in result["results"][1]["Message"] and result["results"][2]["Code"] == "Conflict"
    assert result["created"] == 2 and result["rejected"] == 3
    assert body(api.post("/contacts/lookup", {"ani": "4155550100"}))["match"] == "unique"


def test_bulk_limits(api):
    assert api.post("/contacts/bulk", {"contacts": [{"first_name": "x"}] * 101}).status_code == 413
    assert api.post("/contacts/bulk", {"contacts": []}).status_code == 400
    assert api.post("/contacts/bulk", {"people": []}).status_code == 400


def write_csv(path, rows, header=("First", "Last", "Phone", "email", "tier", "Notes")):
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def test_import_streams_maps_reports_and_resumes_without_duplicates(api, tmp_path):
    add_attributes(api, tier={"type": "text", "options": ["gold", "silver"]})
    rows = [(f"P{i}", "Virtanen", f"+1 415 555 {1000 + i}", f"p{i}@example.com", "gold", "x") for i in range(120)]
    rows[10] = ("Bad", "Phone", "call me", "", "gold", "")
    rows[20] = ("Bad", "Tier", "", "", "bronze", "")
    source = tmp_path / "contacts.csv"
    write_csv(source, rows)
    mapping = {"First": "first_name", "Last": "last_name", "Phone": "phone1", "Notes": ""}
    screen = io.StringIO()

    # An earlier run was cut off after storing the first 40 rows.
    import_id = transfer._import_id(source)
    from chalicelib.models.contact import ContactFields
    from chalicelib.services import contacts

    for number, row in enumerate(rows[:40], start=2):
        if number in (12, 22):
            continue
        contacts.create(ContactFields(first_name=row[0], last_name=row[1], phone1=row[2], email=row[3], tier=row[4]),
                        contact_id=transfer.row_id(import_id, number))

    # One writer: moto's in-process mock is not thread-safe (DynamoDB is; the e2e test uses 4).
    done = transfer.import_csv(source, mapping, workers=4, out=screen)
    assert done.rows == 120 and done.skipped == 38 and done.rejected == 2
    assert "rows/s" in screen.getvalue() and "ETA" in screen.getvalue() and "100.0%" in screen.getvalue()
    report = list(csv.reader((tmp_path / "contacts.csv.rejected.csv").open()))
    assert [r[0] for r in report[1:]] == ["12", "22"] and "phone1" in report[1][1] and "tier" in report[2][1]

    seen, cursor = [], None
    while True:
        page = body(api.get("/contacts?limit=500" + (f"&cursor={cursor}" if cursor else "")))
        seen += page["items"]
        cursor = page["cursor"]
        if not cursor:
            break
    assert len(seen) == 118 and len({c["id"] for c in seen}) == 118

    again = transfer.import_csv(source, mapping, workers=4, out=io.StringIO())
    assert again.skipped == 118 and again.rejected == 2


def test_import_refuses_columns_that_are_not_schema_keys(api, tmp_path):
    source = tmp_path / "c.csv"
    write_csv(source, [("A", "B", "", "", "", "")])
    try:
        transfer.import_csv(source, {}, out=io.StringIO())
    except SystemExit as error:
        assert "First" in str(error) and "--map" in str(error)
    else:
        raise AssertionError("an unknown column was accepted")


def test_export_csv_and_json_lines(api, tmp_path):
    add_attributes(api, tags="list")
    for i in range(3):
        api.post("/saveContact", {"first_name": f"E{i}", "phone1": f"415-555-01{i}0", "tags": ["a", "b"]})
    out = tmp_path / "all.csv"
    transfer.export(out, "csv", out=io.StringIO())
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 3 and {r["first_name"] for r in rows} == {"E0", "E1", "E2"} and rows[0]["tags"] == "a;b"
    lines = tmp_path / "all.jsonl"
    transfer.export(lines, "jsonl", out=io.StringIO())
    docs = [json.loads(line) for line in lines.open()]
    assert len(docs) == 3 and all(d["version"] == 1 for d in docs)
