"""bounds: parts within their whole (same row, or same village and period across forms),
no negative numbers, whole counts, flags 是/否, numbers that read as numbers."""

from dq_testkit import T1_VILLAGES

V1, V2, V3 = T1_VILLAGES[:3]


def ids(issues):
    return [(i["rule_id"], i["area_code"]) for i in issues]


def test_part_exceeds_whole(wh):
    s = wh.sheet("FP1", "2018")
    s.row(V1, A02=100, A03=300, A06=100, A07=300)   # equal: fine
    s.row(V2, A02=100, A03=300, A06=101, A07=301)
    issues = wh.run("bounds")
    assert ids(issues) == [("bounds.A06_le_A02", V2), ("bounds.A07_le_A03", V2)]
    assert issues[1]["observed"] == 301 and issues[1]["expected"] == 300


def test_b09_against_a02_of_the_other_form(wh):
    wh.sheet("FP1", "2018").row(V1, A02=100).row(V2, A02=100)
    wh.sheet("FP1", "2017").row(V3, A02=100)
    f2 = wh.sheet("FP2", "2018")
    f2.row(V1, B09=100).row(V2, B09=101).row(V3, B09=150)   # V3: no FP1 row in 2018
    issues = wh.run("bounds")
    assert ids(issues) == [("bounds.B09_le_A02", V2)]
    assert issues[0]["form_code"] == "FP2" and issues[0]["source_file"] == f2.file and issues[0]["source_cell"] == "J7"


def test_negative_non_integer_flag_and_not_a_number(wh):
    s = wh.sheet("FP1", "2018")
    s.row(V1, A20=-19, A04=10.5, A05=1.25, A21=1)           # A04 may have decimals
    s.row(V2, A02=10.5, A21=None, raw={"A21": "可能"})
    s.row(V3, A03=None, A21=0, raw={"A03": "约300"})
    s.total(A21=None, raw={"A21": "1"})                      # a 合计 flag cell holds a count
    wh.sheet("FP2", "2018").row(V1, B08=None, raw={"B08": "—"}).row(V2, B08=None, raw={"B08": " / "})  # blank markers
    issues = wh.run("bounds")
    assert ids(issues) == [
        ("bounds.flag", V2), ("bounds.negative", V1), ("bounds.non_integer_count", V2), ("bounds.not_a_number", V3),
    ]
    by = {i["rule_id"]: i for i in issues}
    assert by["bounds.negative"]["observed"] == -19 and by["bounds.negative"]["indicator_codes"] == ["A20"]
    assert "可能" in by["bounds.flag"]["message"] and "约300" in by["bounds.not_a_number"]["message"]
