"""The engine: the issue table's shape, one transaction, rows of the GX runner kept."""

import pytest

from huizong.catalog import default_catalog
from huizong.dq import ISSUE_COLUMNS, RuleError, load_rules, run_rules
from huizong.dq.declarations import parse_declaration
from dq_testkit import T1_VILLAGES

V1 = T1_VILLAGES[0]


def columns(con):
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'dq_issues' order by ordinal_position"
    ).fetchall()


def test_every_rule_compiles_and_an_empty_warehouse_has_no_issues(wh):
    assert run_rules(wh.con) == 0
    assert columns(wh.con) == [(c, t) for c, t in ISSUE_COLUMNS]
    # no staging left behind
    assert wh.con.execute("select count(*) from duckdb_tables() where table_name like '_dq_%'").fetchone()[0] == 0


def test_rerun_replaces_rule_rows_and_keeps_gx_rows(wh):
    wh.sheet("FP1", "2018").row(V1, A20=-1)
    bounds = [r for r in load_rules() if r.family == "bounds"]
    assert run_rules(wh.con, rules=bounds) == 1
    wh.con.execute(
        "insert into marts.dq_issues (rule_id, family, severity, message) values ('gx.cells.x', 'bounds', 'error', 'kept')"
    )
    wh.con.execute("update intermediate.int_reported_cells set value = 1")
    assert run_rules(wh.con, rules=bounds) == 0
    assert wh.con.execute("select rule_id from marts.dq_issues").fetchall() == [("gx.cells.x",)]


def test_a_failing_rule_leaves_the_previous_issues(wh):
    wh.sheet("FP1", "2018").row(V1, A20=-1)
    run_rules(wh.con)
    before = wh.issues()
    wh.con.execute("drop table raw.subsidy_rates")
    with pytest.raises(RuleError, match="standard.subsidy"):
        run_rules(wh.con)
    assert wh.issues() == before


def test_messages_are_filled_and_severities_follow_the_family(wh):
    s = wh.sheet("FP1", "2018")
    s.row(V1, A02=10, A03=5, A06=20, A07=30, A08=1.0, A09=1, A11=1, A13=1, A15=1, A20=-2)
    issues = wh.run(rules=[r for r in load_rules() if r.family != "completeness"])
    assert {i["family"] for i in issues} >= {"balance", "ratio", "bounds", "plausibility"}
    for i in issues:
        assert i["severity"] == ("warning" if i["family"] == "plausibility" else "error")
        assert i["message"] and "{" not in i["message"]
        assert i["area_code"] == V1 and i["period"] == "2018" and i["source_file"] == s.file


def test_relation_on_the_bare_engine(wh):
    rule = parse_declaration(
        {"id": "t.chain", "family": "plausibility", "severity": "warning", "indicators": ["A04", "A03"],
         "relation": "0.1 <= A04 / A03 <= 20", "message": "{lhs}={observed} not in {rhs}; {values}"},
        default_catalog(),
    )
    wh.sheet("FP1", "2018").row(V1, A04=30.0, A03=1).row(T1_VILLAGES[1], A04=3.0, A03=1)
    issues = wh.run(rules=[rule])
    assert [(i["area_code"], i["observed"], i["expected"]) for i in issues] == [(V1, 30.0, 20.0)]
    assert issues[0]["message"] == "A04 / A03=30 not in 0.1 .. 20; A04=30 (E6), A03=1 (D6)"


def test_declared_rules_are_many_and_cover_forms_md():
    ids = {r.id for r in load_rules()}
    assert len(ids) >= 30


def test_progress_is_reported_after_each_rule(wh):
    seen = []
    rules = load_rules()
    run_rules(wh.con, rules=rules, progress=lambda i, n, rule_id: seen.append((i, n, rule_id)))
    assert seen == [(i, len(rules), r.id) for i, r in enumerate(rules, 1)]
