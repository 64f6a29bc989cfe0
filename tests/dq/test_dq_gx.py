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
