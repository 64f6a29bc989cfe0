"""ratio: reported ratios against their recomputation; 0.05 points (0.005 亩 for A05)."""

import pytest

from dq_testkit import T1, T1_VILLAGES

V = T1_VILLAGES[0]


@pytest.mark.parametrize(
    "a08, fails",
    [
        (25.0, False),
        (25.05, False),   # exactly at the tolerance
        (24.95, False),
        (25.06, True),    # off by 0.06
        (24.94, True),
    ],
)
def test_a08_tolerance(wh, a08, fails):
    wh.sheet("FP1", "2018").row(V, A08=a08, A07=100, A03=400)
    issues = wh.run("ratio")
    assert bool(issues) == fails
    if fails:
        assert issues[0]["rule_id"] == "ratio.A08" and issues[0]["expected"] == 25.0 and issues[0]["source_cell"] == "I6"


def test_rounded_to_one_decimal_passes(wh):
    s = wh.sheet("FP1", "2018")
    s.row(T1_VILLAGES[0], A08=23.7, A07=259, A03=1092)   # 23.7179 -> 23.7
    s.row(T1_VILLAGES[1], A08=33.3, A07=1, A03=3)        # 33.333.. -> 33.3
    s.row(T1_VILLAGES[2], A08=18.63, A07=259, A03=1092)  # the sample's mistake
    issues = wh.run("ratio")
    assert [i["area_code"] for i in issues] == [T1_VILLAGES[2]]
    assert "23.7179" in issues[0]["message"] and "18.63" in issues[0]["message"]


@pytest.mark.parametrize("a05, fails", [(1.25, False), (1.255, False), (1.245, False), (1.256, True), (1.26, True)])
def test_a05_tolerance_in_mu(wh, a05, fails):
    wh.sheet("FP1", "2018").row(V, A05=a05, A04=500.0, A03=400)  # 1.25 亩 per person
    assert bool(wh.run("ratio")) == fails


def test_other_ratios_and_total_row(wh):
    wh.sheet("FP2", "2018").row(V, B08=50.0, B07=1, B06=2).total(B08=60.0, B07=3, B06=5)
    wh.sheet("FP3", "2018").row(V, C04=80.0, C03=40.0, C02=50.0).total(C04=81.0, C03=40.0, C02=50.0)
    issues = wh.run("ratio")
    assert [(i["rule_id"], i["area_code"]) for i in issues] == [("ratio.C04", T1)]


def test_zero_denominator_and_blank_ratio_are_not_checked(wh):
    s = wh.sheet("FP2", "2018")
    s.row(T1_VILLAGES[0], B08=0.0, B07=0, B06=0)
    s.row(T1_VILLAGES[1], B08=None, B07=1, B06=2, raw={"B08": ""})
    assert wh.run("ratio") == []
