"""`cim import` on the files people really have: a semicolon-separated
Windows-1252 export with blank, ragged and broken-quote rows and duplicated
unique values spread across parallel writers; a UTF-8 file with a BOM."""
from __future__ import annotations

import csv
import io

from devtools import transfer
from tests.api.conftest import add_attributes, body


def _outcomes(report_path):
    rows = list(csv.reader(report_path.open(encoding="utf-8")))
    return {int(r[0]): r[1] for r in rows[1:]}


def test_a_messy_export_is_read_row_by_row_with_the_real_reasons(api, tmp_path):
    add_attributes(api, account_no={"type": "text", "unique": True, "searchable": True})
    lines = ["Etunimi;Sukunimi;Puhelin;Asiakasnumero"]  # line 1
    for i in range(230):  # lines 2..231: three batches of rows, written by parallel writers
        lines.append(f"Hanna{i};Söderberg;+358 40 {1000000 + i};AC-{i}")
    lines[5] = ";;;"  # line 6: blank
    lines[8] = "Ville;Äijälä;+358 40 2000000;AC-X;extra"  # line 9: one column too many
    lines[11] = 'Bo;"Smith;+358 40 2000001;AC-Y'  # line 12: a quote never closed
    lines[150] = "Later;Copy;+358 40 2000002;AC-3"  # line 151: AC-3 is line 5's, in another batch
    lines[30] = "Early;Copy;+358 40 2000003;AC-200"  # line 31: AC-200, which line 202 has too
    lines.insert(100, "")  # an empty line between rows (line 101)
    source = tmp_path / "crm.csv"
    source.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    mapping = {"Etunimi": "first_name", "Sukunimi": "last_name", "Puhelin": "phone1",
               "Asiakasnumero": "account_no"}

    done = transfer.import_csv(source, mapping, workers=4, out=io.StringIO())
    reasons = _outcomes(tmp_path / "crm.csv.rejected.csv")
    assert set(reasons) == {9, 12, 152, 203}, reasons
    assert "5 columns, the header has 4" in reasons[9]
    assert "broken quoting" in reasons[12]
    assert reasons[152] == "account_no: the value is unique and row 5 of this file has it"
    assert reasons[203] == "account_no: the value is unique and row 31 of this file has it"
    assert done.blank == 2 and done.rejected == 4 and done.rows == 229  # 231 records after the header, 2 blank
    # The rows after the broken quote were read on their own; accents came through.
    found = body(api.post("/contacts/getContactsBySearchTerms", {"phone": "+358 40 1000012"}))
    assert [c["first_name"] for c in found] == ["Hanna12"] and found[0]["last_name"] == "Söderberg"
    assert body(api.post("/contacts/getContactsBySearchTerms", {"account_no": "AC-3"}))[0]["first_name"] == "Hanna3"


def test_a_utf8_file_with_a_bom_and_tabs_or_a_given_delimiter(api, tmp_path):
    source = tmp_path / "tabs.csv"
    source.write_bytes("\ufefffirst_name\tlast_name\nÅsa\tLindén\n".encode())
    done = transfer.import_csv(source, {}, out=io.StringIO())
    assert done.rows == 1 and done.rejected == 0
    assert body(api.get("/contacts?name=asa"))["items"][0]["last_name"] == "Lindén"
    piped = tmp_path / "pipes.csv"
    piped.write_text("first_name;last_name\nIda;Berg\n")
    assert transfer.import_csv(piped, {}, out=io.StringIO(), delimiter=";").rows == 1


def test_an_import_stopped_at_the_header_leaves_no_report(api, tmp_path):
    source = tmp_path / "unknown.csv"
    source.write_text("First,Nope\nA,B\n")
    try:
        transfer.import_csv(source, {}, out=io.StringIO())
    except SystemExit:
        pass
    assert not (tmp_path / "unknown.csv.rejected.csv").exists()


def _contacts(api) -> list[dict]:
    return sorted(body(api.get("/contacts?limit=500"))["items"], key=lambda c: c["first_name"])


def _without_server_fields(contact: dict) -> dict:
    return {k: v for k, v in contact.items() if k not in ("id", "version", "created_at", "updated_at")}


SCHEMA = {"tier": {"type": "text", "options": ["gold", "silver"]}, "score": "number", "vip": "boolean",
          "tags": "list", "account_no": {"type": "text", "unique": True}}


def test_export_then_import_update_round_trips_and_changes_nothing_twice(api, tmp_path, monkeypatch):
    add_attributes(api, **SCHEMA)
    for i, extra in enumerate([{"tier": "gold", "score": 7, "vip": True, "tags": ["a", "b"]},
                               {"score": 2.5, "account_no": "AC-1"}, {"vip": False, "email": "c@example.com"}]):
        api.post("/saveContact", {"first_name": f"Round{i}", "last_name": "Trip", "phone1": f"415-555-01{i:02d}"}
                 | extra)
    before = _contacts(api)
    exported = tmp_path / "contacts.csv"
    transfer.export(exported, "csv", out=io.StringIO(), include_pii=True)

    same = transfer.import_csv(exported, {}, out=io.StringIO(), update=True)
    assert same.skipped == 3 and same.rejected == 0
    assert _contacts(api) == before  # nothing written: versions and times unchanged

    text = exported.read_text().replace("Round0,Trip", "Round0,Tripp")
    exported.write_text(text)
    changed = transfer.import_csv(exported, {}, out=io.StringIO(), update=True)
    assert changed.skipped == 2 and changed.rejected == 0
    after = {c["first_name"]: c for c in _contacts(api)}
    assert after["Round0"]["last_name"] == "Tripp" and after["Round0"]["version"] == 2
    stale = transfer.import_csv(exported, {}, out=io.StringIO(), update=True)  # the file still says version 1...
    assert stale.skipped == 3  # ...but equals the contact now: nothing to do
    exported.write_text(exported.read_text().replace("Round0,Tripp", "Round0,Trap"))
    refused = transfer.import_csv(exported, {}, out=io.StringIO(), update=True)
    assert refused.rejected == 1  # version 1 in the file, 2 in the table: the single-update rule
    assert "version" in (tmp_path / "contacts.csv.rejected.csv").read_text()

    # Into a fresh table (same schema): the same contacts, ids and versions aside.
    exported.write_text(exported.read_text().replace("Round0,Trap", "Round0,Tripp"))
    from chalicelib.core.cache import invalidate_all
    from chalicelib.core.settings import get_settings
    from chalicelib.store import aws
    from devtools.bootstrap import ensure_table

    monkeypatch.setenv("CIM_TABLE_NAME", "cim-test-fresh")
    get_settings.cache_clear()
    aws.reset_clients()
    invalidate_all()
    ensure_table()
    add_attributes(api, **SCHEMA)
    moved = transfer.import_csv(exported, {}, out=io.StringIO(), update=True)
    assert moved.rejected == 0 and moved.skipped == 0
    assert [_without_server_fields(c) for c in _contacts(api)] == \
        [_without_server_fields(c) for c in after.values()]


def test_import_update_can_match_on_a_unique_attribute(api, tmp_path):
    add_attributes(api, account_no={"type": "text", "unique": True})
    made = body(api.post("/saveContact", {"first_name": "Matched", "account_no": "AC-7"}))
    source = tmp_path / "by-account.csv"
    source.write_text("account_no,last_name\nAC-7,Found\nAC-8,New\n")
    done = transfer.import_csv(source, {}, out=io.StringIO(), update=True, match_on="account_no")
    assert done.rejected == 0
    assert body(api.get(f"/contacts/{made['id']}"))["last_name"] == "Found"


def test_a_utf8_file_with_a_few_windows_rows_imports_the_rest_and_names_those_rows(api, tmp_path):
    source = tmp_path / "mixed.csv"
    rows = [(b"first_name,last_name,phone1")]
    for i in range(40):
        name = "Åsa" if i not in (2, 5) else "Jörg"
        text = f"{name},Söderberg{i},+358 40 {3000000 + i}"
        rows.append(text.encode("cp1252" if i in (2, 5) else "utf-8"))  # rows on lines 4 and 7 from Windows
    source.write_bytes(b"\n".join(rows) + b"\n")
    for given in (None, "utf-8"):
        report = tmp_path / f"rejected-{given}.csv"
        done = transfer.import_csv(source, {}, workers=2, out=io.StringIO(), encoding=given, report=report)
        reasons = _outcomes(report)
        assert set(reasons) == {4, 7} and all("not text in the file's encoding" in r for r in reasons.values())
        assert done.rejected == 2
    found = body(api.get("/contacts/getContactByName/s%C3%B6derberg1?limit=100"))
    assert any(c["first_name"] == "Åsa" for c in found)  # decoded as UTF-8, not as Windows-1252 mojibake
