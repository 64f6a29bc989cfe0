"""The inbox into the raw schema: statuses, provenance, and incremental re-reading."""

from __future__ import annotations

import duckdb
import pytest
from ingest_kit import FP2_LONGQUAN, form, write_csv, write_reference, write_xlsx

from huizong.ingest.pipeline import SourcesError, ingest


@pytest.fixture
def sources(tmp_path):
    write_reference(tmp_path)
    write_xlsx(tmp_path / "inbox" / "a" / "龙泉镇.xlsx", {"S": form()})
    write_csv(tmp_path / "inbox" / "b.csv", form(period="2018年1-6月"), "gbk")
    write_xlsx(tmp_path / "inbox" / "bad.xlsx", {"S": form(period=None)})
    (tmp_path / "inbox" / "README.txt").write_text("说明")
    return tmp_path


def _con(tmp_path):
    return duckdb.connect(str(tmp_path / "w.duckdb"))


def test_ingest_writes_files_submissions_rows_and_cells_with_provenance(sources, tmp_path):
    con = _con(tmp_path)
    s = ingest(sources, con, workers=1)
    assert (s.seen, s.read, s.by_status) == (4, 4, {"loaded": 2, "rejected": 1, "ignored": 1})
    files = dict(con.execute("select file_path, status from raw.files").fetchall())
    assert files == {"inbox/a/龙泉镇.xlsx": "loaded", "inbox/b.csv": "loaded", "inbox/bad.xlsx": "rejected", "inbox/README.txt": "ignored"}
    subs = con.execute("select form_code, period, reporter_code, reporter_level, report_date::varchar from raw.submissions order by period").fetchall()
    assert subs == [("FP2", "2018", "430506102000", "township", "2019-01-10"), ("FP2", "2018H1", "430506102000", "township", "2019-01-10")]
    cell = con.execute(
        """select cell, row_number, sheet_name, area_code, area_name, row_kind, raw_text, value, township_code
           from raw.cells where file_path = 'inbox/a/龙泉镇.xlsx' and indicator_code = 'B04' and area_code = '430506102202'"""
    ).fetchall()
    assert cell == [("E8", 8, "S", "430506102202", "青龙村", "village", "300", 300.0, "430506102000")]
    assert con.execute("select count(*) from raw.cells where row_kind = 'total'").fetchone()[0] == 18
    assert con.execute("select count(*), count(distinct submission_id) from raw.rows").fetchone() == (6, 2)
    assert con.execute("select rows_loaded from raw.files where file_path = 'inbox/b.csv'").fetchone()[0] == 27
    assert con.execute("select count(*) from raw.areas").fetchone()[0] == 18


def test_unchanged_files_are_not_read_again_and_changes_replace_exactly_their_rows(sources, tmp_path):
    con = _con(tmp_path)
    ingest(sources, con, workers=1)
    before = con.execute("select count(*) from raw.cells").fetchone()[0]
    again = ingest(sources, con, workers=1)
    assert (again.read, again.unchanged, again.removed) == (0, 4, 0)
    rows = [["龙泉村", *FP2_LONGQUAN[0][1][:-1], 999], ["青龙村", *FP2_LONGQUAN[1][1]]]
    write_csv(sources / "inbox" / "b.csv", form(period="2018年1-6月", rows=rows), "gbk")
    (sources / "inbox" / "a" / "龙泉镇.xlsx").unlink()
    changed = ingest(sources, con, workers=1)
    assert (changed.read, changed.removed) == (1, 1)
    assert con.execute("select count(*) from raw.files where file_path like '%龙泉镇%'").fetchone()[0] == 0
    assert con.execute("select count(*) from raw.cells").fetchone()[0] == before // 2
    assert con.execute("select value from raw.cells where indicator_code = 'B09' and area_code = '430506102201'").fetchall() == [(999.0,)]


def test_the_process_pool_reads_the_same_as_one_process(tmp_path):
    for i in range(12):
        write_reference(tmp_path / "one")
        write_csv(tmp_path / "one" / "inbox" / f"{i:02d}.csv", form(period="2018年" if i % 2 else "2018年上半年"))
    import shutil

    shutil.copytree(tmp_path / "one", tmp_path / "two")
    q = "select file_path, sheet_name, cell, indicator_code, raw_text, value from raw.cells order by all"
    a, b = duckdb.connect(), duckdb.connect()
    ingest(tmp_path / "one", a, workers=1)
    ingest(tmp_path / "two", b, workers=2)
    assert a.execute(q).fetchall() == b.execute(q).fetchall()
    assert len(a.execute(q).fetchall()) == 12 * 27


def test_a_sources_directory_without_reference_data_is_an_error(tmp_path):
    (tmp_path / "inbox").mkdir()
    with pytest.raises(SourcesError, match="areas.csv"):
        ingest(tmp_path, duckdb.connect(), workers=1)
