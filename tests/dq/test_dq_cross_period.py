"""cross_period: an H1 flow never exceeds the same year's annual flow (forms 1-3)."""

from dq_testkit import T1_VILLAGES

V1, V2 = T1_VILLAGES[:2]


def test_h1_flow_against_annual(wh):
    wh.sheet("FP1", "2018H1").row(V1, A18=117, A17=30, A02=500).row(V2, A18=50, A02=900)
    wh.sheet("FP1", "2018").row(V1, A18=115, A17=30, A02=400).row(V2, A18=50)
    wh.sheet("FP3", "2018H1").row(V1, C03=10.005)
    wh.sheet("FP3", "2018").row(V1, C03=10.0)     # within 0.01
    wh.sheet("FP1", "2017H1").row(V1, A18=999)    # no 2017 annual: nothing to compare
    issues = wh.run("cross_period")
    assert [(i["period"], i["area_code"], i["indicator_codes"], i["observed"], i["expected"]) for i in issues] == [
        ("2018H1", V1, ["A18"], 117, 115)
    ]
    assert issues[0]["source_cell"] == "S6" and "2018" in issues[0]["message"]  # A02 is a stock: not compared


def test_fp4_halves_are_not_cumulative(wh):
    wh.sheet("FP4", "2018H1").row(V1, D13=10)
    wh.sheet("FP4", "2018H2").row(V1, D13=5)
    assert wh.run("cross_period") == []
