"""balance: totals equal the sum of their parts, in village and 合计 rows alike."""

import yaml

from huizong.dq import load_rules
from dq_testkit import T1, T1_VILLAGES

V1, V2 = T1_VILLAGES[:2]
GOOD_A06 = dict(A06=10, A09=4, A11=3, A13=2, A15=1)


def test_village_balance_passes_and_fails(wh):
    s = wh.sheet("FP1", "2018")
    s.row(V1, **GOOD_A06)
    s.row(V2, **{**GOOD_A06, "A13": 3})
    issues = wh.run("balance")
    assert len(issues) == 1
    i = issues[0]
    assert (i["rule_id"], i["family"], i["severity"], i["period"], i["area_code"]) == ("balance.A06", "balance", "error", "2018", V2)
    assert i["indicator_codes"] == ["A06", "A09", "A11", "A13", "A15"]
    assert (i["observed"], i["expected"]) == (10, 11)
    # source cell = the total's cell (A06 is in column G), the message shows the imbalance and the parts' cells
    assert i["source_cell"] == "G7" and i["source_file"] == s.file and i["source_sheet"] == "Sheet1"
    assert (i["form_code"], i["township_code"]) == ("FP1", T1)
    assert "-1" in i["message"] and "A13=3 (N7)" in i["message"] and "A09=4 (J7)" in i["message"]


def test_total_row_is_checked_like_a_village_row(wh):
    s = wh.sheet("FP1", "2018")
    s.row(V1, **GOOD_A06)
    s.total(A06=11, A09=4, A11=3, A13=2, A15=1)
    issues = wh.run("balance")
    assert [(i["area_code"], i["observed"], i["expected"]) for i in issues] == [(T1, 11, 10)]


def test_counts_exact_amounts_to_a_hundredth(wh):
    s = wh.sheet("FP3", "2018")
    s.row(T1_VILLAGES[0], C02=100.01, C05=50, C06=25, C07=20, C08=5)      # off by 0.01: passes
    s.row(T1_VILLAGES[1], C02=100.02, C05=50, C06=25, C07=20, C08=5)      # off by 0.02: fails
    s.row(T1_VILLAGES[2], C02=0.3, C05=0.1, C06=0.2, C07=0, C08=0)        # float noise: passes
    f4 = wh.sheet("FP4", "2018H1")
    f4.row(T1_VILLAGES[0], D01=10, D03=3, D05=3, D07=2, D09=1, D11=0)     # off by 1 person: fails
    issues = wh.run("balance")
    assert [(i["rule_id"], i["area_code"]) for i in issues] == [("balance.C02", T1_VILLAGES[1]), ("balance.D01", T1_VILLAGES[0])]


def test_a_missing_operand_is_not_evaluated(wh):
    s = wh.sheet("FP2", "2018")
    s.row(V1, B01=10.0, B02=4.0)  # B03 column absent
    s.row(V2, B01=10.0, B02=4.0, B03=None, raw={"B03": "abc"})  # text that is not a number
    assert wh.run("balance") == []


def test_unmatched_rows_are_left_to_completeness(wh):
    wh.sheet("FP1", "2018").row(None, name="不知村", **{**GOOD_A06, "A06": 99})
    assert wh.run("balance") == []


def test_adding_a_balance_is_adding_a_declaration(wh, tmp_path):
    (tmp_path / "balance.yml").write_text(
        yaml.safe_dump({"rules": [{
            "id": "balance.A17_A18_demo", "family": "balance", "severity": "error",
            "indicators": ["A06", "A17"], "relation": "A06 = A17", "tolerance": 0,
            "message": "{area_name}: {lhs}={observed} {rhs}={expected} [{parts}] {A17.cell}",
        }]}, allow_unicode=True),
        encoding="utf-8",
    )
    wh.sheet("FP1", "2018").row(V1, A06=5, A17=4)
    issues = wh.run(rules=load_rules(tmp_path))
    assert [i["rule_id"] for i in issues] == ["balance.A17_A18_demo"]
    assert issues[0]["message"] == "竹1村: A06=5 A17=4 [A17=4 (R6)] R6"
