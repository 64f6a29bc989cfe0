"""standard: amounts against count x the year's subsidy rate."""

from dq_testkit import T1, T1_VILLAGES

V1, V2, V3 = T1_VILLAGES[:3]


def test_amounts_against_rates_of_the_year(wh):
    wh.rates(2018, D04=500, D06=1000, D17=600).rates(2019, D04=550)
    s = wh.sheet("FP4", "2018H1")
    s.row(V1, D03=10, D04=5000, D05=2, D06=2000, D16=22, D17=13200)
    s.row(V2, D16=22, D17=15400)                       # 22 x 700 instead of x 600
    s.total(D16=44, D17=28600)                         # the 合计 row carries the same mistake
    wh.sheet("FP4", "2019H1").row(V3, D03=10, D04=5500)  # 2019's rate is 550
    wh.sheet("FP4", "2019H2").row(V3, D03=10, D04=5000)  # ... so 500 is wrong in 2019
    issues = wh.run("standard")
    got = [(i["period"], i["area_code"], i["indicator_codes"], i["observed"], i["expected"]) for i in issues]
    assert got == [
        ("2018H1", T1, ["D17", "D16"], 28600, 26400),
        ("2018H1", V2, ["D17", "D16"], 15400, 13200),
        ("2019H2", V3, ["D04", "D03"], 5000, 5500),
    ]
    i = issues[1]
    assert i["source_cell"] == "R7" and "22" in i["message"] and "600" in i["message"] and "13200" in i["message"]


def test_amount_tolerance_and_amounts_without_a_rate(wh):
    wh.rates(2018, D04=500.005)
    s = wh.sheet("FP4", "2018H1")
    s.row(V1, D03=2, D04=1000)    # 1000.01 expected: within 0.01
    s.row(V2, D01=3, D02=12345)   # D02 has no rate: not a standard check
    assert wh.run("standard") == []
