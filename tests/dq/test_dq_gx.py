"""The Great Expectations suites on pandas batches: failures merged into marts.dq_issues,
Data Docs written where asked. One GX run for the module (GX is slow to import)."""

import pytest

from dq_testkit import T1, T1_VILLAGES, Warehouse

V1, V2 = T1_VILLAGES[:2]


@pytest.fixture(scope="module")
def gx_run(tmp_path_factory):
    from huizong.dq import run_gx, run_rules

    wh = Warehouse().standard_registry().area_years()
    wh.area("12345", "坏村", "hamlet", T1, valid_from=2020, valid_to=2019)
    wh.rates(2018, D04=500).rates(2018, D04=-5)
    s = wh.sheet("FP1", "2018")
    s.row(V1, A01=1, A02=-3)
    wh.con.execute("update intermediate.int_reported_cells set indicator_code = 'Z01' where indicator_code = 'A01'")
    run_rules(wh.con)
    rule_rows = wh.issues("not starts_with(rule_id, 'gx.')")
    docs = tmp_path_factory.mktemp("exports") / "data_docs"
    n = run_gx(wh.con, docs_dir=docs)
    yield wh, n, docs, rule_rows
    wh.con.close()


def test_failures_become_issues_with_provenance(gx_run):
    wh, n, _, _ = gx_run
    issues = wh.issues("starts_with(rule_id, 'gx.')")
    assert n == len(issues)
    got = {(i["rule_id"], i["area_code"]) for i in issues}
    assert ("gx.areas.code_format", "12345") in got
    assert ("gx.areas.level", "12345") in got
    assert ("gx.areas.span_order", "12345") in got
    assert ("gx.reported_cells.indicator_code", V1) in got
    assert any(r == "gx.subsidy_rates.rate_positive" for r, _ in got)
    assert any(r == "gx.subsidy_rates.rate_unique" for r, _ in got)
    cell = next(i for i in issues if i["rule_id"] == "gx.reported_cells.indicator_code")
    assert (cell["period"], cell["source_file"], cell["source_cell"], cell["indicator_codes"]) == ("2018", s_file(wh), "B6", ["Z01"])
    assert all(i["family"] == "bounds" and i["severity"] == "error" and i["message"] for i in issues)
    assert "Z01" in cell["message"]


def s_file(wh):
    return wh.con.execute("select file_path from intermediate.int_submissions_resolved").fetchone()[0]


def test_rule_rows_are_kept(gx_run):
    wh, _, _, rule_rows = gx_run
    assert rule_rows and wh.issues("not starts_with(rule_id, 'gx.')") == rule_rows


def test_data_docs_written(gx_run):
    _, _, docs, _ = gx_run
    assert (docs / "index.html").is_file()
    assert {p.stem for p in (docs / "expectations").glob("*.html")} == {"areas", "reported_cells", "subsidy_rates", "submissions"}
    assert list((docs / "validations").rglob("*.html"))


# ----------------------------------------------------------------------------- chunked batches
# A batch of more than CHUNK_ROWS rows is validated in chunks (rows split by a hash of a key
# column), with categorical and widened dtypes; the findings must be those of one whole batch.

EXTRA_SUITE = """
name: extra
meta:
  severity: warning
  family: bounds
  batch_sql: >-
    select submission_id, file_path as source_file, cell as source_cell, period, area_code,
           indicator_code, value, year from _dq_cells;
expectations:
  - type: expect_column_values_to_match_regex
    kwargs: {column: source_cell, regex: '^B', mostly: 0.5}
    meta: {id: mostly_b}
  - type: expect_column_max_to_be_between
    kwargs: {column: year, max_value: 2017}
    meta: {id: year_max}
  - type: expect_table_row_count_to_be_between
    kwargs: {max_value: 3}
    meta: {id: row_count}
  - type: expect_column_values_to_be_unique
    kwargs: {column: area_code}
    meta: {id: area_once}
  - type: expect_compound_columns_to_be_unique
    kwargs: {column_list: [submission_id, source_cell]}
    meta: {id: cell_once}
"""


def _dirty_warehouse():
    from dq_testkit import T2, T2_VILLAGES, T3, T3_VILLAGES

    wh = Warehouse().standard_registry().area_years()
    wh.area("12345", "坏村", "hamlet", T1, valid_from=2020, valid_to=2019)
    wh.area(T1_VILLAGES[0], "竹1村", "village", T1, valid_from=2000)  # the same span twice
    wh.area("610521100009", "竹9村", "village", "61052110000x", valid_from=1900)
    wh.rates(2018, D04=500).rates(2018, D04=-5)
    for period in ("2017", "2018"):
        for reporter, villages in ((T1, T1_VILLAGES), (T2, T2_VILLAGES), (T3, T3_VILLAGES)):
            s = wh.sheet("FP1", period, reporter)
            for v in villages:
                s.row(v, A01=1, A02=2, A03=3)
            s.total(A01=4, A02=5, A03=6)
    c = wh.con
    t = "intermediate.int_reported_cells"
    c.execute(f"update {t} set indicator_code = 'Z01' where submission_id = 's1' and cell = 'B6'")
    c.execute(f"update {t} set cell = 'b7x' where submission_id = 's2' and cell = 'C6'")
    c.execute(f"update {t} set year = 1900 where submission_id = 's3' and cell = 'D6'")
    c.execute(f"update {t} set period = null where submission_id = 's4' and cell = 'B6'")
    c.execute(f"update {t} set period = '18H3' where submission_id = 's4' and cell = 'C6'")
    c.execute(f"update {t} set township_code = null, area_code = '123' where submission_id = 's5' and cell = 'B6'")
    c.execute(f"update {t} set row_kind = 'hamlet', form_code = 'FPX' where submission_id = 's6' and cell = 'C7'")
    c.execute(f"update {t} set file_path = null, indicator_code = null where submission_id = 's2' and cell = 'D7'")
    # the same cell without a submission in two submissions, and a cell read twice
    c.execute(f"update {t} set submission_id = null where submission_id in ('s1', 's3') and cell = 'D7'")
    c.execute(f"insert into {t} select * from {t} where submission_id = 's5' and cell = 'C7'")
    c.execute(f"alter table {t} alter value type varchar")  # not numeric: one finding, not one per chunk
    c.execute("insert into intermediate.int_submissions_resolved select * from intermediate.int_submissions_resolved where submission_id = 's2'")
    c.execute("update intermediate.int_submissions_resolved set resolution = 'weird', reporter_code = null where submission_id = 's3'")
    return wh


def _gx_rows(wh):
    return sorted(repr(sorted(i.items())) for i in wh.issues("starts_with(rule_id, 'gx.')"))


@pytest.fixture(scope="module")
def chunked_vs_whole(tmp_path_factory):
    import shutil

    from huizong.dq import GX_DIR, gx_suites, run_gx

    gx_dir = tmp_path_factory.mktemp("gx_suites")
    for p in GX_DIR.glob("*.yml"):
        shutil.copy(p, gx_dir / p.name)
    (gx_dir / "extra.yml").write_text(EXTRA_SUITE, encoding="utf-8")
    wh = _dirty_warehouse()
    plans = {}
    real_plan = gx_suites._plan

    def recording_plan(con, suite, chunk_rows, enums, tag):
        plans[suite.name] = plan = real_plan(con, suite, chunk_rows, enums, tag)
        return plan

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gx_suites, "_plan", recording_plan)
        mp.setattr(gx_suites, "CHUNK_ROWS", 10**9)
        n_whole = run_gx(wh.con, gx_dir=gx_dir)
        whole, whole_plans = _gx_rows(wh), dict(plans)
        mp.setattr(gx_suites, "CHUNK_ROWS", 7)
        docs = tmp_path_factory.mktemp("chunked") / "data_docs"
        n_chunked = run_gx(wh.con, docs_dir=docs, gx_dir=gx_dir)
        chunked = _gx_rows(wh)
    yield wh, (n_whole, whole, whole_plans), (n_chunked, chunked, dict(plans)), docs
    wh.con.close()


def test_chunked_batches_find_what_the_whole_batch_finds(chunked_vs_whole):
    wh, (n_whole, whole, whole_plans), (n_chunked, chunked, plans), _ = chunked_vs_whole
    assert all(p.chunks == 1 for p in whole_plans.values())
    # chunks split on a column of the uniqueness key (cell_unique: submission_id, source_cell)
    assert plans["reported_cells"].chunks > 2 and plans["reported_cells"].key in ('"submission_id"', '"source_cell"')
    assert plans["areas"].chunks > 1
    assert n_whole == n_chunked == len(whole) and chunked == whole
    found = {i["rule_id"] for i in wh.issues("starts_with(rule_id, 'gx.')")}
    reported = {f"gx.reported_cells.{e}" for e in (
        "key_not_null.submission_id", "key_not_null.file_path", "key_not_null.period", "key_not_null.township_code",
        "key_not_null.indicator_code", "form_code", "indicator_code", "row_kind", "period_format", "cell_address",
        "area_code_format", "year_range", "cell_unique", "value_type")}
    assert reported <= found
    assert {"gx.areas.code_format", "gx.areas.span_unique", "gx.areas.valid_from_range", "gx.areas.parent_code_format",
            "gx.submissions.submission_unique", "gx.submissions.resolution", "gx.submissions.reporter_not_null",
            "gx.subsidy_rates.rate_unique", "gx.subsidy_rates.rate_positive"} <= found
    assert {f"gx.extra.{e}" for e in ("mostly_b", "year_max", "row_count", "area_once", "cell_once")} <= found
    # a failure without rows is one finding however many chunks saw it
    assert sum(i["rule_id"] == "gx.reported_cells.value_type" for i in wh.issues()) == 1
    dup = [i for i in wh.issues("rule_id = 'gx.reported_cells.cell_unique'")]
    assert {(i["source_file"] is None or i["source_file"].endswith(".xlsx"), i["source_cell"]) for i in dup} >= {(True, "D7"), (True, "C7")}


def test_chunked_plan_reads_only_what_expectations_need(chunked_vs_whole):
    wh, _, (_, _, plans), _ = chunked_vs_whole
    cells = plans["reported_cells"]
    assert all(ROW not in p.gx_columns for p in cells.pieces for ROW in ("source_sheet", "row_number"))
    assert "cast(\"source_cell\" as _dq_gx_enum_" in cells.select  # a categorical, not a string per row
    assert 'cast("year" as BIGINT)' in cells.select  # GX's vectorized range check
    assert '"value"' in cells.select and 'cast("value"' not in cells.select  # its dtype is what is checked
    extra = plans["extra"]
    whole = [p for p in extra.pieces if p.where is None]
    assert len(whole) == 1 and len(whole[0].exps) == 5  # mostly, aggregates, unique keys without a common column
    assert not wh.con.execute("select count(*) from duckdb_types() where type_name like '_dq_gx%'").fetchone()[0]


def test_chunked_run_writes_one_validation_per_suite(chunked_vs_whole):
    *_, docs = chunked_vs_whole
    assert (docs / "index.html").is_file()
    pages = list((docs / "validations").rglob("*.html"))
    assert {p.relative_to(docs / "validations").parts[0] for p in pages} == {"areas", "extra", "reported_cells", "submissions", "subsidy_rates"}
    assert len(pages) == 5
