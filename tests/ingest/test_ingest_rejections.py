"""Files that cannot be used are rejected with a message saying why; files that are not
submissions are ignored; the rest of the inbox is still read."""

from __future__ import annotations

import pytest
from ingest_kit import CAT, form, inbox_file, read, registry, write_csv, write_reference, write_xlsx

from huizong.ingest.files import discover
from huizong.ingest.sheet import SheetRejected
from huizong.ingest.submission import read_submission
from huizong.ingest.workbook import ole_header_problem


def _ole(names=("Root Entry", "EncryptionInfo", "EncryptedPackage"), sane=True) -> bytes:
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[26:28] = (3).to_bytes(2, "little")
    header[28:30] = b"\xfe\xff"
    header[30:32] = (9).to_bytes(2, "little")
    if sane:
        header[44:48] = (1).to_bytes(4, "little")  # one FAT sector (sector 0)
        header[48:52] = (1).to_bytes(4, "little")  # directory at sector 1
        header[76:80] = (0).to_bytes(4, "little")
    else:
        header[44:48] = (0x7FFFFFFF).to_bytes(4, "little")  # a FAT larger than any file
    directory = bytearray()
    for name in names:
        entry = bytearray(128)
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(raw)] = raw
        directory += entry
    return bytes(header) + bytes(512) + bytes(directory).ljust(512, b"\x00")


def test_a_truncated_workbook_is_rejected_as_corrupt(tmp_path):
    good = write_xlsx(tmp_path / "inbox" / "good.xlsx", {"S": form()})
    bad = tmp_path / "inbox" / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    out = read(bad, tmp_path)
    assert out.status == "rejected" and "corrupt" in out.message and "truncated" in out.message
    assert read(good, tmp_path).status == "loaded"


def test_a_file_with_an_xlsx_name_that_is_no_zip_is_corrupt(tmp_path):
    p = tmp_path / "inbox" / "x.xlsx"
    p.parent.mkdir(parents=True)
    p.write_bytes(b"<html>not a workbook</html>")
    out = read(p, tmp_path)
    assert out.status == "rejected" and "corrupt" in out.message


def test_an_encrypted_workbook_is_rejected(tmp_path):
    p = tmp_path / "inbox" / "secret.xlsx"
    p.parent.mkdir(parents=True)
    p.write_bytes(_ole())
    out = read(p, tmp_path)
    assert out.status == "rejected" and "encrypted" in out.message and "password" in out.message


def test_legacy_ole_content_under_an_xlsx_name(tmp_path):
    p = tmp_path / "inbox" / "old.xlsx"
    p.parent.mkdir(parents=True)
    p.write_bytes(_ole(names=("Root Entry", "Workbook")))
    out = read(p, tmp_path)
    assert out.status == "rejected" and ".xls" in out.message


def test_a_broken_xls_is_rejected_before_any_reader_trusts_its_header(tmp_path):
    # Regression: calamine trusts the sector counts of an OLE header and tried to allocate
    # gigabytes on such a file, killing the process.
    assert ole_header_problem(_ole(names=("Root Entry", "Workbook"))) is None
    data = _ole(names=("Root Entry", "Workbook"), sane=False)
    assert ole_header_problem(data)
    p = tmp_path / "inbox" / "broken.xls"
    p.parent.mkdir(parents=True)
    p.write_bytes(data)
    out = read(p, tmp_path)
    assert out.status == "rejected" and "corrupt" in out.message


def test_a_workbook_without_any_known_form_is_rejected(tmp_path):
    roster = [["驻村工作队人员花名册"], ["填报单位:县扶贫办"], ["序号", "姓名", "派出单位"], [1, "王建国", "市统计局"]]
    out = read(write_xlsx(tmp_path / "inbox" / "r.xlsx", {"Sheet1": roster}), tmp_path)
    assert out.status == "rejected" and "no known form" in out.message
    only_notes = {"填表说明": [["填表说明"], ["1.按时报送。"]], "Sheet2": []}
    out = read(write_xlsx(tmp_path / "inbox" / "n.xlsx", only_notes), tmp_path)
    assert out.status == "rejected" and "no known form" in out.message


def test_an_unknown_table_number_is_rejected():
    with pytest.raises(SheetRejected, match="unknown 表号"):
        from ingest_kit import parse

        parse(form(table_no="扶贫9表"))


def test_a_township_not_in_the_registry_is_rejected(tmp_path):
    out = read(write_xlsx(tmp_path / "inbox" / "u.xlsx", {"S": form(unit="夷陵区乐昌乡")}), tmp_path)
    assert out.status == "rejected" and "乐昌乡" in out.message and "not in the registry" in out.message
    out = read(write_xlsx(tmp_path / "inbox" / "u2.xlsx", {"S": form(unit="乐昌乡(430506199)")}), tmp_path)
    assert out.status == "rejected" and "not in the registry" in out.message


def test_a_sheet_without_a_period_is_rejected(tmp_path):
    out = read(write_xlsx(tmp_path / "inbox" / "p.xlsx", {"S": form(period=None)}), tmp_path)
    assert out.status == "rejected" and "no period" in out.message


def test_one_bad_sheet_rejects_its_workbook_with_the_sheets_name(tmp_path):
    out = read(write_xlsx(tmp_path / "inbox" / "w.xlsx", {"好的": form(), "坏的": form(period=None)}), tmp_path)
    assert out.status == "rejected" and "'坏的'" in out.message and out.sheets == []


def test_a_form_without_a_column_header_is_rejected(tmp_path):
    rows = [r for r in form() if r[0] != "村名称"]
    out = read(write_csv(tmp_path / "inbox" / "h.csv", rows), tmp_path)
    assert out.status == "rejected" and "column header" in out.message


def test_a_csv_in_an_unknown_encoding_is_rejected_or_read(tmp_path):
    p = tmp_path / "inbox" / "e.csv"
    p.parent.mkdir(parents=True)
    p.write_bytes(form()[0][0].encode("utf-16"))
    out = read(p, tmp_path)
    assert out.status == "rejected"


@pytest.mark.parametrize("name,reason", [
    ("~$扶贫报表.xlsx", "lock file"), ("README.txt", "not a spreadsheet"), ("通知.docx", "not a spreadsheet"),
    ("截图.png", "not a spreadsheet"), (".DS_Store", "hidden"),
])
def test_lock_files_and_non_spreadsheets_are_ignored(tmp_path, name, reason):
    p = tmp_path / "inbox" / name
    p.parent.mkdir(parents=True)
    p.write_bytes(b"\x06Admin" + bytes(100))
    out = read_submission(inbox_file(p, tmp_path), CAT, registry())
    assert out.status == "ignored" and reason in out.message


def test_discover_lists_the_inbox_but_not_the_reference_data(tmp_path):
    write_reference(tmp_path)
    write_xlsx(tmp_path / "inbox" / "b" / "2.xlsx", {"S": form()})
    write_csv(tmp_path / "inbox" / "a" / "1.csv", form())
    (tmp_path / "inbox" / "README.txt").write_text("x")
    files = discover(tmp_path)
    assert [f.rel_path for f in files] == ["inbox/README.txt", "inbox/a/1.csv", "inbox/b/2.xlsx"]
    assert all(len(f.sha256) == 64 and f.size > 0 for f in files)
    # without an inbox folder the sources directory itself is the inbox, minus reference/
    flat = tmp_path / "flat"
    write_reference(flat)
    write_csv(flat / "x.csv", form())
    assert [f.rel_path for f in discover(flat)] == ["x.csv"]
