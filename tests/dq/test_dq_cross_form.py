"""cross_form: B04 + B05 = A02, same area and period, across the two forms."""

from dq_testkit import T1, T1_VILLAGES

V1, V2 = T1_VILLAGES[:2]


def test_housing_against_households(wh):
    f1 = wh.sheet("FP1", "2017")
    f1.row(V1, A02=608).row(V2, A02=500).total(A02=1108)
    f2 = wh.sheet("FP2", "2017", sheet="2表")
    f2.row(V1, B04=422, B05=192).row(V2, B04=400, B05=100).total(B04=822, B05=292)
    wh.sheet("FP2", "2018").row(V1, B04=1, B05=1)   # no FP1 for 2018: nothing to compare
    issues = wh.run("cross_form")
    got = [(i["period"], i["area_code"], i["observed"], i["expected"], i["form_code"], i["source_cell"]) for i in issues]
    assert got == [("2017", T1, 1114, 1108, "FP2", "E8"), ("2017", V1, 614, 608, "FP2", "E6")]
    assert issues[1]["indicator_codes"] == ["B04", "B05", "A02"]
    assert "2表!E6" in issues[1]["message"] and "Sheet1!C6" in issues[1]["message"]
