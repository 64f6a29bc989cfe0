"""Official tables from a hand-built warehouse: every figure read back from xlsx and CSV
against the marts, the form's header lines, row order, the gate, release, determinism."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from export_fixtures import CITY, COUNTY_A, COUNTY_B, FORMULA_ISSUER, ISSUER, PROVINCE, add_issue
from export_readback import read_csv, read_xlsx

from huizong.catalog import default_catalog
from huizong.export import export_all, release

CAT = default_catalog()
PUBLISHERS = (PROVINCE, CITY, COUNTY_A, COUNTY_B)
FORM_TABLES = {
    (p, f, a) for f, ps in {"FP1": ("2018", "2018H1"), "FP3": ("2018",), "FP4": ("2018", "2018H1", "2018H2")}.items()
    for p in ps for a in PUBLISHERS
}
FPT_TABLES = {(p, "FPT", a) for p in ("2018", "2018H1") for a in (CITY, COUNTY_A, COUNTY_B)}
WITHHELD = {("2018", "FP1", a) for a in (COUNTY_A, CITY, PROVINCE)}  # export_fixtures.BAD_VILLAGE's error
NAMES = {PROVINCE: "陕西省", CITY: "五源市", COUNTY_A: "竹平县", COUNTY_B: "上庆县"}


def log(con) -> dict[tuple, tuple]:
    rows = con.execute(
        "select period, form_code, area_code, status, path, reason, released_by, released_at from marts.export_log"
    ).fetchall()
    return {r[:3]: r[3:] for r in rows}


def files(root: Path) -> set[tuple[str, str, str]]:
    out = set()
    for f in root.glob("*/*.xlsx"):
        form, area = f.stem.split("_")
        assert f.with_suffix(".csv").exists()
        out.add((f.parent.name, form, area))
    assert len(list(root.glob("*/*.csv"))) == len(out)
    return out


def expected_rows(con, period: str, area: str) -> list[str]:
    """合计 (the area itself), then the areas directly under it valid that year, by code."""
    year = int(period[:4])
    kids = con.execute(
        """select area_code from marts.dim_area where parent_code = ? and valid_from <= ?
           and (valid_to is null or valid_to >= ?) order by area_code""",
        [area, year, year],
    ).fetchall()
    return [area] + [k[0] for k in kids]


# -- which tables, and the gate ------------------------------------------------------------------

def test_one_error_withholds_exactly_the_tables_containing_it(exported):
    con, root, summary = exported
    assert {(o.period, o.form_code, o.area_code) for o in summary.outcomes} == FORM_TABLES | FPT_TABLES
    assert {(o.period, o.form_code, o.area_code) for o in summary.withheld} == WITHHELD
    assert files(root) == (FORM_TABLES | FPT_TABLES) - WITHHELD
    entries = log(con)
    assert set(entries) == FORM_TABLES | FPT_TABLES
    for key, (status, path, reason, *_rest) in entries.items():
        if key in WITHHELD:
            assert status == "withheld" and path is None
            assert reason == "1 error finding: bounds_negative (1)"
        else:
            assert status == "written" and Path(path) == root / key[0] / f"{key[1]}_{key[2]}.xlsx"
            assert reason is None
    # warnings (FPT H1 progress, household size) withheld nothing
    assert ("2018H1", "FPT", COUNTY_B) not in WITHHELD and ("2018", "FP1", COUNTY_B) not in WITHHELD


# -- every figure, read back ---------------------------------------------------------------------

_FACTS: dict[tuple, dict] = {}


def _rounded_facts(con) -> dict[tuple[str, str, str], tuple]:
    """Every figure of the mart rounded to its indicator's decimals, by DuckDB (not by the
    exporter's own rounding)."""
    key = id(con), con.execute("select sum(hash(period, area_code, indicator_code, value)) from marts.fct_area_indicator").fetchone()[0]
    if key not in _FACTS:
        rows = con.execute(
            """select f.period, f.area_code, f.indicator_code, round(f.value, i.decimals)
               from marts.fct_area_indicator f join marts.dim_indicator i using (indicator_code)"""
        ).fetchall()
        _FACTS.clear()
        _FACTS[key] = {(p, a, i): (v,) for p, a, i, v in rows}
    return _FACTS[key]


def _check_figures(con, sheet, period: str, form_code: str, area: str, numbers_as_text: bool):
    inds = CAT.indicators_of(form_code)
    numbers = sheet.rows[sheet.colno_row]
    assert numbers == ["甲", "乙"] + [str(j) for j in range(1, len(inds) + 1)]
    assert all(len(r) == len(sheet.rows[0]) for r in sheet.rows)  # a rectangular grid
    body = sheet.body()
    assert [r[0] for r in body] == expected_rows(con, period, area)
    assert body[0][1] == "合计"
    marts = _rounded_facts(con)
    for row in body:
        for j, ind in enumerate(inds):
            want = marts.get((period, row[0], ind.code))
            got = row[2 + j]
            if want is None or want[0] is None:
                assert got is None, (period, form_code, row[0], ind.code, got)
            elif numbers_as_text:
                assert got == f"{want[0]:.{ind.decimals}f}", (period, form_code, row[0], ind.code)
            else:
                assert isinstance(got, (int, float)) and not isinstance(got, bool)
                assert got == pytest.approx(want[0], abs=1e-9), (period, form_code, row[0], ind.code)
    return body


def test_every_figure_matches_the_marts_rounded_to_its_decimals(exported):
    con, root, summary = exported
    checked = 0
    for o in summary.written:
        if o.form_code == "FPT":
            continue
        xlsx, ws = read_xlsx(o.path)
        body = _check_figures(con, xlsx, o.period, o.form_code, o.area_code, numbers_as_text=False)
        _check_figures(con, read_csv(o.csv_path), o.period, o.form_code, o.area_code, numbers_as_text=True)
        # names as in the registry; codes stored as text
        for r in body[1:]:
            assert r[1] == con.execute("select area_name from marts.dim_area where area_code = ?", [r[0]]).fetchone()[0]
        first = xlsx.colno_row + 2
        assert all(ws.cell(row=first + k, column=1).data_type == "s" for k in range(len(body)))
        # number formats show the indicator's decimals
        for j, ind in enumerate(CAT.indicators_of(o.form_code)):
            fmt = ws.cell(row=first, column=3 + j).number_format
            assert fmt.split("_")[0] == ("0" if ind.decimals == 0 else "0." + "0" * ind.decimals)
        checked += 1
    assert checked == len(FORM_TABLES) - len(WITHHELD)


def test_townships_of_the_year_only_and_in_code_order(exported):
    con, root, _ = exported
    sheet = read_csv(root / "2018H1" / f"FP1_{COUNTY_A}.csv")
    codes = [r[0] for r in sheet.body()]
    assert codes == [COUNTY_A, "610521100000", "610521101000"]  # 旧关镇 ended in 2017
    assert "旧关镇" not in sheet.texts()
    city = read_csv(root / "2018H1" / f"FP1_{CITY}.csv")
    assert [(r[0], r[1]) for r in city.body()] == [(CITY, "合计"), (COUNTY_A, "竹平县"), (COUNTY_B, "上庆县")]
    prov = read_csv(root / "2018H1" / f"FP1_{PROVINCE}.csv")
    assert [(r[0], r[1]) for r in prov.body()] == [(PROVINCE, "合计"), (CITY, "五源市")]


# -- the form around the figures ---------------------------------------------------------------

@pytest.mark.parametrize("period,form_code,area,words", [
    ("2018H1", "FP1", COUNTY_B, "2018年1-6月"),
    ("2018", "FP3", CITY, "2018年"),
    ("2018H2", "FP4", PROVINCE, "2018年7-12月"),
])
def test_header_lines_and_footer(exported, period, form_code, area, words):
    con, root, _ = exported
    form = CAT.forms[form_code]
    path = root / period / f"{form_code}_{area}.xlsx"
    xlsx, ws = read_xlsx(path)
    csv_sheet = read_csv(path.with_suffix(".csv"))
    issuer = FORMULA_ISSUER if form_code == "FP3" else ISSUER
    for sheet in (xlsx, csv_sheet):
        texts = sheet.texts()
        assert sheet.rows[0][0] == form.title
        assert f"表号:{form.table_no}" in texts
        assert any(t.lstrip("'") == f"制定机关:{issuer}" for t in texts)
        assert f"填报单位:{NAMES[area]}" in texts
        assert words in texts
        assert f"计量单位:{form.unit_note}" in texts
        footer = sheet.rows[-1]
        labels = [v for v in footer if v]
        assert labels[:3] == ["单位负责人:", "统计负责人:", "填表人:"]
        want = con.execute(
            """select max(report_date) from raw.submissions where form_code = ? and period in ?
               and (reporter_code = ? or reporter_code like ?)""",
            [form_code, [period] if form_code != "FP4" or len(period) > 4 else [period + "H1", period + "H2"],
             area, area.rstrip("0") + "%"],
        ).fetchone()[0]
        assert labels[3] == f"报出日期:{want.year}年{want.month}月{want.day}日"
    # the title is one merged, bold, centred cell over the whole width
    assert f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.b and ws["A1"].alignment.horizontal == "center"


def test_two_level_headers_come_from_the_catalog(exported):
    con, root, _ = exported
    xlsx, ws = read_xlsx(root / "2018" / f"FP3_{COUNTY_A}.xlsx")
    csv_sheet = read_csv(root / "2018" / f"FP3_{COUNTY_A}.csv")
    top = xlsx.colno_row - 2
    merged = {str(r) for r in ws.merged_cells.ranges}
    inds = CAT.indicators_of("FP3")
    for sheet in (xlsx, csv_sheet):
        assert sheet.rows[top][:2] == ["区划代码", "单位名称"]
    for j, ind in enumerate(inds):
        col = openpyxl.utils.get_column_letter(3 + j)
        unit = f"({ind.unit})"
        if ind.leaf_label:
            leaf = csv_sheet.rows[top + 1][2 + j]
            assert leaf == ind.leaf_label + unit
            assert "".join(xlsx.rows[top + 1][2 + j].split("\n")) == leaf  # line breaks in xlsx only
        else:
            assert csv_sheet.rows[top][2 + j] == ind.label + unit
            assert f"{col}{top + 1}:{col}{top + 2}" in merged  # spans both header rows
    groups = [i for i in inds if i.group_label]
    first = 2 + inds.index(groups[0])
    span = f"{openpyxl.utils.get_column_letter(first + 1)}{top + 1}:{openpyxl.utils.get_column_letter(first + len(groups))}{top + 1}"
    assert span in merged and csv_sheet.rows[top][first] == groups[0].group_label == "资金来源"


def test_print_setup_and_frozen_header(exported):
    _, root, _ = exported
    xlsx, ws = read_xlsx(root / "2018H1" / f"FP1_{COUNTY_A}.xlsx")
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    # one page wide: fitToWidth 1 is the file format's default, which xlsxwriter leaves out
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0
    header_first = xlsx.colno_row - 1  # 1-based: the two header rows and the column numbers
    assert ws.print_title_rows == f"${header_first}:${xlsx.colno_row + 1}"
    assert ws.freeze_panes == f"C{xlsx.colno_row + 2}"
    assert ws.column_dimensions["B"].width >= 9 and ws.column_dimensions["A"].width >= 13


# -- progress against targets ------------------------------------------------------------------

def test_progress_tables(exported):
    con, root, _ = exported
    h1 = read_csv(root / "2018H1" / f"FPT_{CITY}.csv")
    year = read_csv(root / "2018" / f"FPT_{COUNTY_A}.csv")
    assert h1.rows[0][0] == "年度目标任务完成情况" and "2018年1-6月" in h1.texts()
    assert [r[0] for r in h1.body()] == [CITY, COUNTY_A, COUNTY_B]
    assert [r[0] for r in year.body()] == [COUNTY_A]  # a county's targets: its own row
    top = h1.colno_row - 2
    assert h1.rows[top + 1][2:6] == ["目标(人)", "完成(人)", "进度(%)", "双过半"]
    assert "双过半" not in year.texts()
    for sheet, period in ((h1, "2018H1"), (year, "2018")):
        for row in sheet.body():
            for k, t in enumerate(("T01", "T02", "T03")):
                target, actual, progress = con.execute(
                    "select target, actual, progress from marts.fct_target_progress where period = ? and area_code = ? and target_code = ?",
                    [period, row[0], t],
                ).fetchone()
                width = 4 if period.endswith("H1") else 3
                cells = row[2 + width * k : 2 + width * (k + 1)]
                d = CAT.indicators[t].decimals
                assert cells[0] == f"{round(target, d):.{d}f}" and cells[1] == f"{round(actual, d):.{d}f}"
                assert cells[2] == f"{round(100 * progress, 2):.2f}"
                if width == 4:
                    assert cells[3] == ("是" if progress >= 0.5 else "否")
    # 竹平县 H1: T01 700/1200 = 58.33% 是, T03 1400.25/3000.5 = 46.67% 否
    row = read_csv(root / "2018H1" / f"FPT_{COUNTY_A}.csv").body()[0]
    assert row[2:6] == ["1200", "700", "58.33", "是"] and row[10:14] == ["3000.50", "1400.25", "46.67", "否"]


def test_form_wide_error_under_a_target_actual_withholds_the_progress_table(con, tmp_path):
    # a township of 上庆县 with no FP3 submission for 2018: every FP3 figure there is
    # incomplete, and so is the C03 actual of the 2018 progress tables above it
    add_issue(con, "completeness_missing_township", "completeness", "error", "2018", "610522100000", [], "FP3")
    summary = export_all(con, tmp_path)
    withheld = {(o.period, o.form_code, o.area_code) for o in summary.withheld}
    assert withheld == WITHHELD | {("2018", "FP3", a) for a in (COUNTY_B, CITY, PROVINCE)} | {
        ("2018", "FPT", COUNTY_B), ("2018", "FPT", CITY)}
    assert "completeness_missing_township (1)" in log(con)[("2018", "FPT", CITY)][2]


def test_an_error_in_a_half_year_withholds_the_annual_fp4_too(con, tmp_path):
    add_issue(con, "hierarchy_total_row", "hierarchy", "error", "2018H2", "610522101000", ["D15"], "FP4", "78", "77")
    add_issue(con, "hierarchy_total_row", "hierarchy", "error", "2018H2", "610522101000", ["D14"], "FP4", "8", "7")
    summary = export_all(con, tmp_path)
    withheld = {(o.period, o.form_code, o.area_code) for o in summary.withheld} - WITHHELD
    assert withheld == {(p, "FP4", a) for p in ("2018H2", "2018") for a in (COUNTY_B, CITY, PROVINCE)}
    assert log(con)[("2018", "FP4", CITY)][2] == "2 error findings: hierarchy_total_row (2)"


# -- release ---------------------------------------------------------------------------------

def test_release_writes_the_table_and_lasts_until_the_data_changes(con, tmp_path):
    key = ("2018", "FP1", COUNTY_A)
    export_all(con, tmp_path)
    path = tmp_path / "2018" / f"FP1_{COUNTY_A}.xlsx"
    assert not path.exists()
    with pytest.raises(ValueError):
        release(con, tmp_path, *key, reason="  ")
    with pytest.raises(KeyError, match="no official table FP2"):
        release(con, tmp_path, "2018", "FP2", COUNTY_A, reason="x")

    outcome = release(con, tmp_path, *key, reason="A20 负数已核实为录入错误,县统计局同意发布", released_by="王主任")
    assert outcome.status == "released" and path.exists() and path.with_suffix(".csv").exists()
    assert list(outcome) == [path, path.with_suffix(".csv")]
    status, p, reason, by, at = log(con)[key]
    assert (status, Path(p), reason, by) == ("released", path, "A20 负数已核实为录入错误,县统计局同意发布", "王主任")
    assert at is not None
    # the released table has the figures of the marts, a NULL ratio as a blank cell
    sheet = read_csv(path.with_suffix(".csv"))
    _check_figures(con, sheet, "2018", "FP1", COUNTY_A, numbers_as_text=True)
    north = next(r for r in sheet.body() if r[0] == "610521101000")
    assert north[2 + 4] is None  # A05

    # a re-export keeps it released, and written; the rest stays as it was
    summary = export_all(con, tmp_path)
    assert {(o.period, o.form_code, o.area_code) for o in summary.released} == {key}
    assert {(o.period, o.form_code, o.area_code) for o in summary.withheld} == WITHHELD - {key}
    assert log(con)[key][:4] == ("released", str(path), "A20 负数已核实为录入错误,县统计局同意发布", "王主任")
    assert path.exists()

    # new figures: the release lapses and the table is withheld again, its files removed
    con.execute("update marts.fct_area_indicator set value = value + 1 where period = '2018' and area_code = ? and indicator_code = 'A03'",
                [COUNTY_A])
    summary = export_all(con, tmp_path)
    assert key in {(o.period, o.form_code, o.area_code) for o in summary.withheld}
    status, p, reason, by, _ = log(con)[key]
    assert status == "withheld" and p is None and by is None
    assert reason.startswith("1 error finding: bounds_negative (1)") and "王主任" in reason and "lapsed" in reason
    assert not path.exists() and not path.with_suffix(".csv").exists()


def test_release_defaults_to_the_os_user(con, tmp_path, monkeypatch):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "clerk7")
    release(con, tmp_path, "2018", "FP1", CITY, reason="核实无误")
    assert log(con)[("2018", "FP1", CITY)][3] == "clerk7"


# -- determinism and safety ----------------------------------------------------------------------

def test_same_warehouse_same_files(exported, tmp_path):
    con, root, _ = exported
    again = tmp_path / "again"
    export_all(con, again)
    ours = sorted(p.relative_to(root) for p in root.glob("*/*.*"))
    assert ours == sorted(p.relative_to(again) for p in again.glob("*/*.*"))
    for rel in ours:
        if rel.suffix == ".csv":
            assert (root / rel).read_bytes() == (again / rel).read_bytes(), rel
        else:
            a, _ = read_xlsx(root / rel)
            b, _ = read_xlsx(again / rel)
            assert a.rows == b.rows, rel


def test_a_withheld_table_leaves_no_old_file_behind(con, tmp_path):
    export_all(con, tmp_path)
    stale = tmp_path / "2017" / f"FP2_{COUNTY_A}.csv"
    stale.parent.mkdir()
    stale.write_text("old")
    keep = tmp_path / "README.txt"
    keep.write_text("not ours")
    add_issue(con, "ratio_recompute", "ratio", "error", "2018H1", "610522100201", ["A08"], "FP1")
    summary = export_all(con, tmp_path)
    assert not (tmp_path / "2018H1" / f"FP1_{COUNTY_B}.xlsx").exists()
    assert not stale.exists() and keep.exists()
    assert tmp_path / "2018H1" / f"FP1_{COUNTY_B}.xlsx" in summary.removed


def test_formula_like_text_is_never_a_formula(exported):
    _, root, _ = exported
    path = root / "2018" / f"FP3_{COUNTY_A}.xlsx"
    _, ws = read_xlsx(path)
    cell = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s" and cell.value == f"制定机关:{FORMULA_ISSUER}"
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    # a text starting with = itself: written as a string, and quoted in CSV
    from huizong.export.csvfile import csv_bytes
    from huizong.export.grid import Grid, GridCell
    from huizong.export.xlsx import workbook_bytes

    grid = Grid("t", [[GridCell("=1+1", "name"), GridCell("-3", "name"), GridCell("@x", "name"), GridCell("ok", "name")]],
                [], [10, 10, 10, 10], {}, (0, 0), (0, 0))
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(grid)))
    assert [c.data_type for c in wb.active[1]] == ["s"] * 4 and wb.active["A1"].value == "=1+1"
    assert csv_bytes(grid).decode("utf-8-sig") == "'=1+1,'-3,'@x,ok\r\n"


def test_gate_fails_closed_without_findings(con, tmp_path):
    con.execute("drop table marts.dq_issues")
    with pytest.raises(RuntimeError, match="dq_issues"):
        export_all(con, tmp_path)
    assert not any(tmp_path.iterdir())


def test_summary_counts(exported):
    _, _, summary = exported
    assert summary.counts() == {"written": len(FORM_TABLES | FPT_TABLES) - 3, "withheld": 3, "released": 0}
    assert "withheld 3" in str(summary)
    assert dict(summary.items())["withheld"] == 3 and summary["written"] == len(FORM_TABLES | FPT_TABLES) - 3


def test_xlsx_and_csv_hold_the_same_cells(exported):
    _, _, summary = exported
    for o in summary.written:
        xlsx, _ = read_xlsx(o.path)
        csv_sheet = read_csv(o.csv_path)
        assert len(xlsx.rows) == len(csv_sheet.rows), o.path
        decimals = {}
        if o.form_code != "FPT":
            decimals = {2 + j: i.decimals for j, i in enumerate(CAT.indicators_of(o.form_code))}
        for r, (a, b) in enumerate(zip(xlsx.rows, csv_sheet.rows)):
            for c, (x, y) in enumerate(zip(a, b + [None] * (len(a) - len(b)))):
                if isinstance(x, (int, float)):
                    if c in decimals:
                        assert y == f"{x:.{decimals[c]}f}", (o.path, r, c)
                    else:
                        assert float(y) == pytest.approx(x), (o.path, r, c)
                elif isinstance(x, str):
                    x = x.replace("\n", "")  # header line breaks are xlsx-only
                    assert y == ("'" + x if x[:1] in "=+-@" else x), (o.path, r, c)
                else:
                    assert y is None, (o.path, r, c)
