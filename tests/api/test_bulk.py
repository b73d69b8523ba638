"""Bulk: POST /contacts/bulk, and `cim import` / `cim export` of CSV files."""
from __future__ import annotations

import csv
import io
import json

from devtools import transfer
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


def test_bulk_writes_contacts_without_unique_values_many_a_call(api):
    api.get("/getSchema")
    items = [{"first_name": f"Bulk{i}", "phone1": f"+1 415 555 {2000 + i}"} for i in range(100)]
    reply = api.post("/contacts/bulk", {"contacts": items})
    assert body(reply)["created"] == 100
    # First whether the 100 numbers are suppressed, which have called and who
    # holds them (possible duplicates: nobody, so no contact is read) (300
    # keys, 100 a BatchGetItem); then 400 index entries (phone, its last
    # digits, name, last change) and the 100 numbers' holder markers; then the
    # 100 contacts, each with its audit entry in the same call, 12 pairs a
    # call; then whether an erasure suppressed one of the numbers meanwhile.
    assert api.calls == (["BatchGetItem"] * 3 + ["BatchWriteItem"] * 20 + ["BatchWriteItem"] * 9
                         + ["BatchGetItem"])
    found = body(api.post("/contacts/lookup", {"ani": "+14155552042"}))
    assert found["match"] == "unique" and found["contacts"][0]["first_name"] == "Bulk42"


def test_contacts_created_in_bulk_see_the_calls_their_numbers_made_before(api):
    leg = {"leg_id": "L1", "type": "voice", "start_time": "2026-11-22T10:00:00Z"}
    api.post("/interactions/updateOrSaveInteractionTree/EARLY-1", {"interaction": leg, "ani": "+1 415 555 3001"})
    reply = body(api.post("/contacts/bulk", {"contacts": [{"first_name": "Quiet", "phone1": "+1 415 555 3000"},
                                                          {"first_name": "Caller", "phone1": "+1 415 555 3001"}]}))
    quiet, caller = (r["id"] for r in reply["results"])
    history = body(api.get(f"/interactions/loadInteractions/{caller}"))
    assert [c["call_Id"] for c in history] == ["EARLY-1"]
    assert body(api.get(f"/interactions/loadInteractions/{quiet}")) == []


def test_a_table_that_stops_taking_writes_mid_bulk_loses_no_contact_silently(api, monkeypatch):
    """Index entries go first, contacts after: a contact reported created is
    whole; the rest are reported not stored, and none of them is readable."""
    from chalicelib.core.errors import Unavailable
    from chalicelib.store import contacts as store

    real, calls = store.batch_write, []

    def failing(items):
        calls.append(len(items))
        if len(calls) == 3:  # the index entries and the first 12 contacts (with their audit entries) went through
            raise Unavailable("the table is throttling writes; try again")
        real(items)

    monkeypatch.setattr(store, "batch_write", failing)
    items = [{"first_name": f"Half{i}", "phone1": f"+1 415 555 {4000 + i}"} for i in range(60)]
    result = body(api.post("/contacts/bulk", {"contacts": items}))
    outcomes = [r["outcome"] for r in result["results"]]
    assert outcomes == ["created"] * 12 + ["rejected"] * 48
    assert {r["Code"] for r in result["results"][12:]} == {"ServiceUnavailable"}
    assert "send this contact again" in result["results"][30]["Message"]
    monkeypatch.setattr(store, "batch_write", real)
    assert body(api.post("/contacts/lookup", {"ani": "+14155554010"}))["match"] == "unique"
    assert body(api.post("/contacts/lookup", {"ani": "+14155554020"}))["match"] == "none"
    assert len(body(api.get("/contacts?limit=100"))["items"]) == 12


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
    from chalicelib.models.contact import ContactFields
    from chalicelib.services.contacts import contacts

    for number, row in enumerate(rows[:40], start=2):
        if number in (12, 22):
            continue
        item = dict(zip(("first_name", "last_name", "phone1", "email", "tier"), row[:5], strict=True))
        contacts.create(ContactFields(**item), contact_id=transfer.row_id(item))

    # One writer: moto's in-process mock is not thread-safe (DynamoDB is; the e2e test uses 4).
    done = transfer.import_csv(source, mapping, workers=4, out=screen)
    assert done.rows == 120 and done.skipped == 38 and done.rejected == 2
    assert "rows/s" in screen.getvalue() and "ETA" in screen.getvalue() and "100.0%" in screen.getvalue()
    report = list(csv.reader((tmp_path / "contacts.csv.rejected.csv").open()))
    assert [r[0] for r in report[1:]] == ["12", "22"] and "phone1" in report[1][1] and "tier" in report[2][1]

    seen = _all_contacts(api)
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
    transfer.export(out, "csv", out=io.StringIO(), include_pii=True)
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 3 and {r["first_name"] for r in rows} == {"E0", "E1", "E2"} and rows[0]["tags"] == "a;b"
    lines = tmp_path / "all.jsonl"
    transfer.export(lines, "jsonl", out=io.StringIO(), include_pii=True)
    docs = [json.loads(line) for line in lines.open()]
    assert len(docs) == 3 and all(d["version"] == 1 for d in docs)


def test_an_import_cut_off_by_the_table_says_so_and_resumes_where_it_stopped(api, tmp_path, monkeypatch):
    from chalicelib.core.errors import Unavailable
    from chalicelib.store import contacts as store

    rows = [(f"R{i}", "Lind", f"+1 415 555 {5000 + i}", "", "", "") for i in range(250)]
    source = tmp_path / "big.csv"
    write_csv(source, rows)
    mapping = {"First": "first_name", "Last": "last_name", "Phone": "phone1", "email": "", "tier": "", "Notes": ""}
    real, calls = store.batch_write, []

    def failing(items):
        calls.append(len(items))
        if len(calls) == 5:  # 1st batch of 100 rows: its entries, then 12 contacts (and audits) a call; the 4th fails
            raise Unavailable("the table is throttling writes; try again")
        real(items)

    monkeypatch.setattr(store, "batch_write", failing)
    try:
        transfer.import_csv(source, mapping, workers=1, out=io.StringIO())
    except SystemExit as error:
        assert "run the same command again to resume" in str(error)
    else:
        raise AssertionError("the import went on without the table")
    monkeypatch.setattr(store, "batch_write", real)
    first = len(body(api.get("/contacts?limit=500"))["items"])
    assert first == 36  # nothing after the failure was written

    again = transfer.import_csv(source, mapping, workers=1, out=io.StringIO())
    assert again.skipped == first and again.rows == 250 and again.rejected == 0
    stored = body(api.get("/contacts?limit=500"))["items"]
    assert len(stored) == 250 and len({c["first_name"] for c in stored}) == 250


def test_export_masks_personal_fields_unless_asked(api, tmp_path):
    add_attributes(api, account={"type": "text", "pii": True}, tier="text")
    api.post("/saveContact", {"first_name": "Mia", "phone1": "415-555-0110", "account": "AC-9", "tier": "gold"})
    out = tmp_path / "masked.csv"
    screen = io.StringIO()
    transfer.export(out, "csv", out=screen)
    row = next(csv.DictReader(out.open()))
    assert row["first_name"] == row["phone1"] == row["account"] == "***" and row["tier"] == "gold"
    assert row["email"] == "" and "--include-pii" in screen.getvalue()
    lines = tmp_path / "masked.jsonl"
    transfer.export(lines, "jsonl", out=io.StringIO())
    text = lines.read_text()
    assert "Mia" not in text and "4155550110" not in text and "AC-9" not in text and "gold" in text
    # Read back with --update, a masked cell leaves its field alone.
    assert transfer.import_csv(out, {}, out=io.StringIO(), update=True).rejected == 0
    stored = body(api.get("/contacts"))["items"][0]
    assert stored["first_name"] == "Mia" and stored["account"] == "AC-9"


def _all_contacts(api) -> list[dict]:
    seen, cursor = [], None
    while True:
        page = body(api.get("/contacts?limit=500" + (f"&cursor={cursor}" if cursor else "")))
        seen += page["items"]
        cursor = page["cursor"]
        if not cursor:
            return seen


def test_an_edited_file_imported_again_creates_nothing_new_and_shared_addresses_are_flagged(api, tmp_path):
    add_attributes(api, tier={"type": "text", "options": ["gold", "silver"]})
    rows = [(f"P{i}", "Virtanen", f"+1 415 555 {1000 + i}", f"p{i}@example.com", "Gold", "x") for i in range(12)]
    source = tmp_path / "crm export.csv"
    write_csv(source, rows)
    mapping = {"First": "first_name", "Last": "last_name", "Phone": "phone1", "Notes": ""}
    first = transfer.import_csv(source, mapping, workers=2, out=io.StringIO())
    assert first.counts["created"] == 12 and first.rejected == 0  # "Gold" is the option "gold"
    assert {c["tier"] for c in _all_contacts(api)} == {"gold"}

    rows[3] = ("P3", "Virtanen-Typo-Fixed", *rows[3][2:])  # one row fixed, saved under another name
    moved = tmp_path / "elsewhere.csv"
    write_csv(moved, rows)
    again = transfer.import_csv(moved, mapping, workers=2, out=io.StringIO())
    assert again.skipped == 11 and again.counts["duplicate"] == 1 and again.counts["created"] == 0
    report = list(csv.reader((tmp_path / "elsewhere.csv.rejected.csv").open()))
    assert report[1][0] == "5" and "possible duplicate of contact" in report[1][1] and "phone" in report[1][1]
    assert len(_all_contacts(api)) == 12

    sharing = tmp_path / "sharing.csv"  # 6 rows, 2 addresses already stored, 2 rows sharing one new address
    write_csv(sharing, [("A", "One", "", "p1@example.com", "", ""), ("B", "Two", "", "P2@example.com", "", ""),
                        ("C", "Three", "", "new@example.com", "", ""), ("D", "Four", "", "new@example.com", "", ""),
                        ("E", "Five", "", "e@example.com", "", ""), ("F", "Six", "", "f@example.com", "", "")])
    dry = transfer.import_csv(sharing, mapping, workers=2, out=io.StringIO(), dry_run=True)
    assert (dry.counts["would create"], dry.flagged, dry.counts["created"]) == (3, 3, 0)
    assert len(_all_contacts(api)) == 12  # a dry run writes nothing
    done = transfer.import_csv(sharing, mapping, workers=2, out=io.StringIO())
    assert (done.counts["created"], done.counts["duplicate"], done.flagged) == (3, 3, 3)
    report = {r[0]: r[1] for r in list(csv.reader((tmp_path / "sharing.csv.rejected.csv").open()))[1:]}
    assert "possible duplicate of row 4 (same email in email)" in report["5"]
    assert "(email" in report["2"] and "(email" in report["3"]
    forced = transfer.import_csv(sharing, mapping, workers=2, out=io.StringIO(), if_duplicate="create")
    assert forced.skipped == 3 and forced.counts["created"] == 3 and forced.flagged == 3
    assert len(_all_contacts(api)) == 18


def test_update_matched_on_email_reports_updated_rows(api, tmp_path):
    made = body(api.post("/saveContact", {"first_name": "Ann", "email": "ann@example.com"}))
    source = tmp_path / "changes.csv"
    write_csv(source, [("Ann", "Lee", "", "ANN@example.com", "", ""), ("New", "Person", "", "np@example.com", "", "")])
    mapping = {"First": "first_name", "Last": "last_name", "Phone": "phone1", "tier": "", "Notes": ""}
    done = transfer.import_csv(source, mapping, workers=1, out=io.StringIO(), update=True, match_on="email")
    assert (done.counts["updated"], done.counts["created"]) == (1, 1)
    assert "updated 1" in done.summary() and "imported 1" in done.summary()
    assert body(api.get(f"/contacts/{made['id']}"))["last_name"] == "Lee"


def test_map_takes_column_names_with_spaces_and_excel_exports_carry_a_bom(api, tmp_path):
    assert transfer.parse_maps("First Name=first_name Mobile phone=phone1 Internal=") == {
        "First Name": "first_name", "Mobile phone": "phone1", "Internal": ""}
    api.post("/saveContact", {"first_name": "Åsa", "last_name": "Öberg"})
    out = tmp_path / "for-excel.csv"
    transfer.export(out, "csv", out=io.StringIO(), include_pii=True, excel=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Åsa".encode() in raw
    plain = tmp_path / "plain.csv"
    transfer.export(plain, "csv", out=io.StringIO(), include_pii=True)
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
