"""hierarchy: a 合计 row against the sum of its sheet's village rows (matched or not)."""

from dq_testkit import CITY, COUNTY, COUNTY2, T1, T1_VILLAGES

V1, V2, V3 = T1_VILLAGES[:3]


def test_total_row_against_villages(wh):
    s = wh.sheet("FP4", "2017H2")
    s.row(V1, D15=40, D13=1).row(V2, D15=37, D13=2).row(None, name="新村", D13=3)
    s.total(D15=78, D13=6)   # D15: 78 against 77; D13 includes the unmatched row
    issues = wh.run("hierarchy")
    assert [(i["period"], i["area_code"], i["indicator_codes"], i["observed"], i["expected"]) for i in issues] == [
        ("2017H2", T1, ["D15"], 78, 77)
    ]
    i = issues[0]
    assert i["source_cell"] == "P9" and i["township_code"] == T1 and "77" in i["message"]


def test_amount_tolerance_ratios_and_means_not_summed(wh):
    s = wh.sheet("FP3", "2018")
    s.row(V1, C02=10.10, C04=50.0).row(V2, C02=20.20, C04=70.0)
    s.total(C02=30.31, C04=60.0)                 # 30.31 vs 30.30: within 0.01; C04 is a ratio
    f1 = wh.sheet("FP1", "2018")
    f1.row(V1, A04=10.5, A19=8000).row(V2, A04=20.0, A19=9000).total(A04=30.52, A19=8500)
    issues = wh.run("hierarchy")
    assert [(i["indicator_codes"], round(i["observed"] - i["expected"], 2)) for i in issues] == [(["A04"], 0.02)]


def test_flag_count_a21(wh):
    s = wh.sheet("FP1", "2018")
    s.row(V1, A21=1).row(V2, A21=0).row(V3, A21=1)
    s.total(A21=None, raw={"A21": "3"})    # the flag reader leaves a count in 合计 as text
    issues = wh.run("hierarchy")
    assert [(i["rule_id"], i["observed"], i["expected"]) for i in issues] == [("hierarchy.flag_count", 3, 2)]
    wh2 = wh.sheet("FP1", "2018H1")
    wh2.row(V1, A21=1).total(A21=1)
    assert len(wh.run("hierarchy")) == 1


def test_city_target_sheet_against_its_counties(wh):
    s = wh.sheet("FPT", "2018", reporter=CITY, level="city")
    s.row(COUNTY, kind="county", T01=100, T03=10.5).row(COUNTY2, kind="county", T01=50, T03=4.5)
    s.total(T01=151, T03=15.0)
    issues = wh.run("hierarchy")
    assert [(i["area_code"], i["indicator_codes"]) for i in issues] == [(CITY, ["T01"])]
