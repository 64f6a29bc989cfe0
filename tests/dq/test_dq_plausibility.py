"""plausibility (warnings): persons per household, over-completion, year-over-year with
mergers mapped, 元/万元 slips against peers, H1 progress against annual targets."""

import pytest

from dq_testkit import CITY, COUNTY, COUNTY2, T1, T1_VILLAGES, T2, T2_VILLAGES

V1, V2, V3, V4 = T1_VILLAGES


def ids(issues):
    return [(i["rule_id"], i["period"], i["area_code"]) for i in issues]


def test_warnings_only(wh):
    wh.sheet("FP1", "2018").row(V1, A02=10, A03=100)
    issues = wh.run("plausibility")
    assert issues and {i["severity"] for i in issues} == {"warning"}


def test_persons_per_household_and_over_completion(wh):
    s = wh.sheet("FP1", "2018")
    s.row(V1, A02=100, A03=150, A06=10, A07=80)     # 1.5 and 8: at the bounds
    s.row(V2, A02=100, A03=149, A06=0, A07=0)       # 1.49; no poor households: not evaluated
    s.row(V3, A02=100, A03=300, A06=10, A07=81)
    wh.sheet("FP2", "2018").row(V1, B06=10, B07=10).row(V2, B06=10, B07=11)
    wh.sheet("FP3", "2018").row(V1, C02=10.0, C03=10.01).row(V2, C02=10.0, C03=10.02)
    issues = wh.run("plausibility")
    assert ids(issues) == [
        ("plausibility.B07_le_B06", "2018", V2),
        ("plausibility.C03_le_C02", "2018", V2),
        ("plausibility.persons_per_household", "2018", V2),
        ("plausibility.poor_persons_per_household", "2018", V3),
    ]
    assert issues[2]["observed"] == pytest.approx(1.49) and issues[2]["expected"] == 1.5


def test_year_over_year(wh):
    for period in ("2017", "2018"):
        s = wh.sheet("FP1", period)
        s.row(V1, A02=100 if period == "2017" else 130, A03=400)     # +30%: fine
        s.row(V2, A02=100 if period == "2017" else 131)              # +31%
        s.row(V3, A03=400 if period == "2017" else 279)              # -30.25%
    wh.sheet("FP1", "2018H1").row(V4, A02=10)
    wh.sheet("FP1", "2017H1").row(V4, A02=100)                       # H1 against H1
    issues = wh.run(rule_id="plausibility.year_over_year")
    assert [(i["period"], i["area_code"], i["indicator_codes"], i["observed"], i["expected"]) for i in issues] == [
        ("2018", V2, ["A02"], 131, 100), ("2018", V3, ["A03"], 279, 400), ("2018H1", V4, ["A02"], 10, 100),
    ]
    assert "2017" in issues[0]["message"] and "31" in issues[0]["message"]


@pytest.mark.parametrize("successor_keeps_code", [False, True])
def test_year_over_year_maps_merged_villages_onto_their_successor(wh, successor_keeps_code):
    a, b, c = "610521100011", "610521100012", "610521100013"
    new = a if successor_keeps_code else "610521100014"
    wh.area(a, "和平村", "village", T1, valid_to=2017, successor=new)
    wh.area(b, "彭家坡村", "village", T1, valid_to=2017, successor=new)
    wh.area(c, "xx树村", "village", T1, valid_to=2017, successor=new)
    wh.area(new, "合并村", "village", T1, valid_from=2018)
    wh.area_years()
    wh.sheet("FP1", "2017").row(a, A02=459, A03=1335).row(b, A02=351, A03=1068).row(c, A02=610, A03=1819)
    wh.sheet("FP1", "2018").row(new, A02=1422, A03=4261)
    assert wh.run(rule_id="plausibility.year_over_year") == []
    # without one of the merged villages the successor looks like a 40% jump
    wh.con.execute(f"delete from intermediate.int_reported_cells where area_code = '{c}'")
    issues = wh.run(rule_id="plausibility.year_over_year")
    assert {(i["area_code"], i["expected"]) for i in issues} == {(new, 810), (new, 2403)}
    assert all(a in i["message"] and b in i["message"] for i in issues)


def test_unit_slip_against_township_peers(wh):
    s = wh.sheet("FP3", "2018")
    s.row(V1, C02=100.0, C07=0.0).row(V2, C02=120.0).row(V3, C02=80.0)
    s.row(V4, C02=1153800.0)                       # 元 in a 万元 column: 11538x the peers' median 100
    s.total(C02=1154100.0)                          # 合计 rows are not compared with villages
    wh.sheet("FP3", "2017").row(V1, C02=100.0).row(V2, C02=120.0).row(V3, C02=80.0).row(V4, C02=99000.0)  # 990x
    issues = wh.run(rule_id="plausibility.unit_slip")
    assert [(i["period"], i["area_code"], i["indicator_codes"], i["expected"]) for i in issues] == [("2018", V4, ["C02"], 100.0)]
    assert issues[0]["source_cell"] == "C9" and "township" in issues[0]["message"]


def test_unit_slip_falls_back_to_the_county_and_looks_both_ways(wh):
    # T2 has two villages only: its peers are the county's (T1's four and T2's other)
    s1 = wh.sheet("FP4", "2018H1", reporter=T1)
    for v in T1_VILLAGES:
        s1.row(v, D02=20000.0)
    wh.sheet("FP4", "2018H1", reporter=T2).row(T2_VILLAGES[0], D02=20000.0).row(T2_VILLAGES[1], D02=2.0)  # 万元 in 元
    issues = wh.run(rule_id="plausibility.unit_slip")
    assert [(i["area_code"], i["observed"], i["expected"]) for i in issues] == [(T2_VILLAGES[1], 2.0, 20000.0)]
    assert "county" in issues[0]["message"]


def test_h1_progress_below_half(wh):
    wh.con.execute(
        f"""insert into marts.fct_target_progress values
        ('2018H1', '{COUNTY2}', 'county', 'T03', 3417, 1451.62, 0.4248),
        ('2018H1', '{COUNTY}', 'county', 'T03', 1954.43, 977.215, 0.5),
        ('2018H1', '{CITY}', 'city', 'T01', 2447, 1426, 0.58),
        ('2018', '{COUNTY2}', 'county', 'T03', 3417, 1451.62, 0.4248)"""
    )
    fpt = wh.sheet("FPT", "2018", reporter=CITY, level="city")
    fpt.row(COUNTY, kind="county", T03=1954.43).row(COUNTY2, kind="county", T03=3417.0)
    issues = wh.run(rule_id="plausibility.h1_progress")
    assert [(i["period"], i["area_code"], i["indicator_codes"], i["form_code"]) for i in issues] == [
        ("2018H1", COUNTY2, ["T03", "C03"], "FPT")
    ]
    i = issues[0]
    assert i["source_file"] == fpt.file and i["source_cell"] == "D7" and "42.5" in i["message"] and "上庆县" in i["message"]
