"""completeness: missing village rows, rows not reported, unknown villages, missing and
conflicting submissions."""

from dq_testkit import T1, T1_VILLAGES, T2, T2_VILLAGES, T3

V1, V2, V3, V4 = T1_VILLAGES


def test_active_village_missing_from_the_form(wh):
    wh.area("610521100009", "旧村", "village", T1, valid_to=2017)          # gone before 2018: not expected
    wh.area("610521100010", "新村", "village", T1, valid_from=2018)        # new in 2018: expected
    wh.area_years()
    s = wh.sheet("FP3", "2018H1", file="inbox/数据导出.csv")
    s.row(V1, C01=1).row(V2, C01=1).row(V4, reported=False)               # V4 present but blank
    wh.sheet("FP3", "2018H1", resolution="superseded").row(V3, C01=1)     # only in a superseded file
    issues = wh.run(rule_id="completeness.missing_village")
    got = [(i["period"], i["area_code"], i["form_code"], i["township_code"], i["source_file"]) for i in issues]
    assert got == [("2018H1", V3, "FP3", T1, "inbox/数据导出.csv"), ("2018H1", "610521100010", "FP3", T1, "inbox/数据导出.csv")]
    assert issues[0]["indicator_codes"] == [] and issues[0]["severity"] == "error" and "竹3村" in issues[0]["message"]


def test_village_rows_across_two_active_sheets_count(wh):
    wh.sheet("FP1", "2018").row(V1).row(V2)
    wh.sheet("FP1", "2018").row(V3).row(V4)
    assert wh.run(rule_id="completeness.missing_village") == []


def test_row_not_reported(wh):
    s = wh.sheet("FP1", "2018")
    s.row(V1, A01=3).row(V2, reported=False, name="竹2")
    wh.sheet("FP1", "2018", resolution="superseded").row(V3, reported=False)
    issues = wh.run(rule_id="completeness.not_reported")
    assert [(i["area_code"], i["source_cell"], i["source_file"]) for i in issues] == [(V2, "7:7", s.file)]
    assert "竹2" in issues[0]["message"] and "7" in issues[0]["message"]


def test_unknown_village(wh):
    s = wh.sheet("FP2", "2018")
    s.row(V1, B01=1.0).row(None, name="桃花源村", B01=2.0)
    wh.sheet("FP2", "2018", resolution="conflict").row(None, name="别处")
    issues = wh.run(rule_id="completeness.unknown_area")
    assert [(i["period"], i["area_code"], i["township_code"], i["source_cell"]) for i in issues] == [("2018", T1, T1, "7:7")]
    assert "桃花源村" in issues[0]["message"]


def test_township_without_a_submission(wh):
    wh.sheet("FP1", "2018", reporter=T1)
    wh.sheet("FP1", "2018", reporter=T3)                             # another county, same city
    wh.sheet("FP2", "2018", reporter=T1)
    wh.sheet("FP2", "2018", reporter=T2, resolution="conflict")      # submitted, even if unusable
    wh.sheet("FP2", "2018", reporter=T3, resolution="superseded")
    wh.area("610521102000", "新镇", "township", "610521000000", valid_from=2019).area_years()  # not yet there
    issues = wh.run(rule_id="completeness.missing_submission")
    assert [(i["period"], i["area_code"], i["form_code"]) for i in issues] == [("2018", T2, "FP1")]
    assert issues[0]["township_code"] == T2 and "北田镇" in issues[0]["message"]


def test_conflicting_submissions(wh):
    wh.sheet("FP3", "2018", reporter=T2, resolution="conflict", file="inbox/a.xlsx", date="2019-01-16")
    wh.sheet("FP3", "2018", reporter=T2, resolution="conflict", file="inbox/b.xlsx", date="2019-01-16")
    wh.sheet("FP3", "2018", reporter=T1, resolution="superseded")
    issues = wh.run(rule_id="completeness.conflicting_submissions")
    assert [(i["period"], i["area_code"], i["form_code"], i["source_file"]) for i in issues] == [("2018", T2, "FP3", "inbox/a.xlsx")]
    assert "inbox/a.xlsx" in issues[0]["message"] and "inbox/b.xlsx" in issues[0]["message"]
    assert "2019-01-16" in issues[0]["message"]


def test_whole_family_on_a_complete_inbox_is_silent(wh):
    for t, villages in ((T1, T1_VILLAGES), (T2, T2_VILLAGES)):
        s = wh.sheet("FP1", "2018", reporter=t)
        for v in villages:
            s.row(v, A01=1)
    from dq_testkit import T3_VILLAGES

    s = wh.sheet("FP1", "2018", reporter=T3)
    for v in T3_VILLAGES:
        s.row(v, A01=1)
    assert wh.run("completeness") == []
