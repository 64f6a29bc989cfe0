"""The 退回修改通知 workbooks: one per township with findings, their rows, order, wording,
print setup, stale-file removal and determinism."""

from __future__ import annotations

import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from feedback_fixtures import (
    COUNTY_B, DASHA, DONGGANG, HONGXING, LIUSHU, MOVED, SHUANGTA, XIHU, XINMIN,
)
from openpyxl import load_workbook

from huizong.feedback import (
    FAMILY_NAMES, HEADERS, chinese_message, load_feedback, write_feedback,
)

NAMES = {
    DONGGANG: f"{DONGGANG}_东岗镇_退回修改通知.xlsx",
    LIUSHU: f"{LIUSHU}_柳树乡_退回修改通知.xlsx",
    SHUANGTA: f"{SHUANGTA}_双塔镇_退回修改通知.xlsx",
}


FIGURES = ("填报值", "应为/参考值")


def read_notice(path: Path):
    """(worksheet, header row number, body rows as dicts keyed by header)."""
    ws = load_workbook(path).active
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "序号")
    assert tuple(ws.cell(header, j).value for j in range(1, len(HEADERS) + 1)) == HEADERS
    rows, r = [], header + 1
    while isinstance(ws.cell(r, 1).value, int):
        values = {h: ws.cell(r, j).value for j, h in enumerate(HEADERS, start=1)}
        rows.append({h: "" if v is None and h not in FIGURES else v for h, v in values.items()} | {"_row": r})
        r += 1
    return ws, header, rows


@pytest.fixture()
def written(con, tmp_path):
    paths = write_feedback(con, tmp_path / "fb")
    return con, tmp_path / "fb", paths


def test_one_notice_per_township_with_findings(written):
    _, out, paths = written
    assert [p.name for p in paths] == [NAMES[DONGGANG], NAMES[LIUSHU], NAMES[SHUANGTA]]
    assert sorted(p.name for p in out.iterdir()) == sorted(NAMES.values())
    # the clean township and the county's own finding get no notice
    assert not list(out.glob(f"{XIHU}_*")) and not list(out.glob(f"{COUNTY_B}_*"))


def test_rows_in_order_errors_first(written):
    _, out, _ = written
    _, _, rows = read_notice(out / NAMES[DONGGANG])
    got = [(r["严重程度"], r["报表"].split("\n")[0], r["报告期"], r["村(社区)代码"], r["单元格"]) for r in rows]
    assert got == [
        ("错误", "扶贫1表", "2017年", HONGXING, "C7"),
        ("错误", "扶贫1表", "2018年", DONGGANG, "I16"),  # the 合计 row: the township's own code
        ("错误", "扶贫1表", "2018年", XINMIN, "I13"),
        ("错误", "扶贫1表", "2018年", "", "第17行"),  # a village the registry does not know
        ("错误", "扶贫2表", "2018年", DONGGANG, ""),
        ("错误", "扶贫3表", "2018年1-6月", HONGXING, "C10"),
        ("提示", "扶贫1表", "2018年", HONGXING, "G10"),
    ]
    assert [r["序号"] for r in rows] == list(range(1, 8))


def test_row_content(written):
    _, out, _ = written
    _, _, rows = read_notice(out / NAMES[DONGGANG])
    bal = next(r for r in rows if r["单元格"] == "I13")
    assert bal["报表"] == "扶贫1表\n贫困人口基本情况"
    assert bal["村(社区)名称"] == "新民村"
    assert bal["审核类别"] == "平衡关系"
    assert bal["指标"].split("\n") == [
        "A06 建档立卡贫困户数(户)", "A09 因病致贫户数(户)", "A11 缺劳力致贫户数(户)",
        "A13 因学致贫户数(户)", "A15 其他原因致贫户数(户)",
    ]
    assert (bal["填报值"], bal["应为/参考值"]) == (99, 100)
    # the Chinese part only, without the name/code/period already in their own columns
    assert bal["问题说明"] == "平衡关系不符:A06 = 99,A09 + A11 + A13 + A15 = 100,相差 -1。"
    assert (bal["原文件"], bal["工作表"]) == ("东岗镇扶贫1表.xlsx", "表1")
    total = next(r for r in rows if r["单元格"] == "I16")
    assert total["村(社区)名称"] == "东岗镇(合计行)" and (total["填报值"], total["应为/参考值"]) == (453, 454)
    missing = next(r for r in rows if r["报表"].startswith("扶贫2表"))
    assert missing["村(社区)名称"] == "东岗镇" and missing["填报值"] is None and missing["原文件"] == ""
    assert missing["问题说明"] == "未报送 2018 扶贫2表(同市已有 3 个乡镇报送)。"
    h1 = next(r for r in rows if r["审核类别"] == "期间关系")
    assert h1["问题说明"].startswith("上半年累计数大于全年数") and h1["工作表"] == "=SUM(A1:A9)"


def test_family_names_are_chinese(written):
    _, out, paths = written
    seen = set()
    for p in paths:
        seen |= {r["审核类别"] for r in read_notice(p)[2]}
    assert seen and seen <= set(FAMILY_NAMES.values())
    assert FAMILY_NAMES == {
        "balance": "平衡关系", "ratio": "比率", "standard": "标准", "bounds": "逻辑关系", "cross_form": "表间关系",
        "hierarchy": "上下级汇总", "cross_period": "期间关系", "completeness": "完整性", "plausibility": "合理性",
    }


def test_a_count_of_8_5_is_not_shown_as_9(written):
    _, out, _ = written
    ws, _, rows = read_notice(out / NAMES[DONGGANG])
    r = next(r for r in rows if r["单元格"] == "C7")
    assert r["填报值"] == 8.5 and ws.cell(r["_row"], HEADERS.index("填报值") + 1).number_format == "0.0_ "
    assert r["应为/参考值"] == 9 and ws.cell(r["_row"], HEADERS.index("应为/参考值") + 1).number_format == "0_ "


def test_findings_follow_the_registry(written):
    """No township_code: the area's township in the finding's year (a moved village), and a
    renamed township under its latest name; an indicator only dim_indicator knows."""
    _, out, _ = written
    _, _, liushu = read_notice(out / NAMES[LIUSHU])
    assert [(r["严重程度"], r["村(社区)代码"], r["报告期"]) for r in liushu] == [
        ("错误", MOVED, "2017年"), ("提示", DASHA, "2018年")]
    assert liushu[1]["报表"] == "扶贫3表\n扶贫资金与项目"  # the form from the indicators
    _, _, shuangta = read_notice(out / NAMES[SHUANGTA])
    assert [(r["村(社区)代码"], r["报告期"]) for r in shuangta] == [(MOVED, "2018年"), (MOVED, "2018年")]
    assert shuangta[1]["指标"] == "X99 试点指标(个)" and shuangta[1]["报表"] == ""


def test_title_preamble_and_footer(written):
    _, out, _ = written
    ws, _, _ = read_notice(out / NAMES[DONGGANG])
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert ws["A1"].value == "关于东岗镇统计报表数据的退回修改通知"
    assert ws["A2"].value == "东岗镇："
    pre = ws["A3"].value + ws["A4"].value
    assert "有7处问题，其中错误6处、提示1处" in pre and "请于5日内核实修改后重新报送" in pre
    assert "报告期：2017年、2018年1-6月、2018年" in pre and "报表：扶贫1表、扶贫2表、扶贫3表" in pre
    assert any(t.startswith("联系人：") for t in texts) and any(t.startswith("联系电话：") for t in texts)
    assert "城关区统计局" in texts
    assert "2019年1月22日" in texts  # the latest report_date of raw.submissions
    assert "有2处问题，其中错误1处、提示1处" in load_workbook(out / NAMES[SHUANGTA]).active["A3"].value


def test_as_of_office_and_days(con, tmp_path):
    (path, *_) = write_feedback(con, tmp_path, as_of=date(2019, 2, 3), office="兰河市统计局", days=3)
    texts = [c.value for row in load_workbook(path).active.iter_rows() for c in row if isinstance(c.value, str)]
    assert "2019年2月3日" in texts and "兰河市统计局" in texts
    assert any("请于3日内" in t for t in texts)


def test_warnings_only(con, tmp_path):
    con.execute("delete from marts.dq_issues where severity = 'error'")
    paths = write_feedback(con, tmp_path)
    assert [p.name for p in paths] == [NAMES[DONGGANG], NAMES[LIUSHU], NAMES[SHUANGTA]]
    ws = load_workbook(paths[0]).active
    assert "有1处问题，均为提示" in ws["A3"].value and "错误" not in ws["A3"].value + ws["A4"].value


def test_view_and_print_setup(written):
    _, out, _ = written
    ws, header, rows = read_notice(out / NAMES[DONGGANG])
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${header}:${header}"
    widths = {h: ws.column_dimensions[chr(64 + j)].width for j, h in enumerate(HEADERS, start=1)}
    assert widths["问题说明"] >= 30 and widths["村(社区)代码"] >= 13  # 12 digits fit
    msg = ws.cell(rows[2]["_row"], HEADERS.index("问题说明") + 1)
    assert msg.alignment.wrap_text
    # a 5-line indicator list gets a row tall enough for 5 lines
    assert ws.row_dimensions[rows[2]["_row"]].height >= 5 * 13


def test_formula_like_text_stays_text(written):
    _, out, _ = written
    path = out / NAMES[DONGGANG]
    ws, _, rows = read_notice(path)
    unknown = next(r for r in rows if r["单元格"] == "第17行")
    assert unknown["问题说明"].startswith("=东岗镇 2018 扶贫1表 第 17 行")
    cells = [ws.cell(r["_row"], j + 1) for r in rows for j in range(len(HEADERS))]
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_stale_notices_are_removed(con, tmp_path):
    out = tmp_path / "fb"
    out.mkdir()
    stale = [out / f"{XIHU}_西湖街道_退回修改通知.xlsx", out / f"{SHUANGTA}_双塔乡_退回修改通知.xlsx"]
    others = [out / "README.txt", out / f"{DONGGANG}_东岗镇_说明.xlsx", out / "东岗镇_退回修改通知.xlsx"]
    for f in stale + others:
        f.write_text("old")
    write_feedback(con, out)
    assert not any(f.exists() for f in stale) and all(f.exists() for f in others)
    assert (out / NAMES[SHUANGTA]).exists()
    # 东岗镇 fixes everything: its notice goes on the next run
    con.execute("delete from marts.dq_issues where township_code = ? or area_code = ?", [DONGGANG, DONGGANG])
    paths = write_feedback(con, out)
    assert NAMES[DONGGANG] not in {p.name for p in paths} and not (out / NAMES[DONGGANG]).exists()
    assert all(f.exists() for f in others)


def test_same_warehouse_same_bytes(con, tmp_path, monkeypatch):
    a = write_feedback(con, tmp_path / "a")
    con.execute("create table shuffled as select * from marts.dq_issues order by random()")
    con.execute("delete from marts.dq_issues; insert into marts.dq_issues select * from shuffled")
    # another day: neither the clock nor a temporary file's mtime may reach the file
    later = time.localtime(time.time() + 86400 * 400)
    monkeypatch.setattr(time, "localtime", lambda *_: later)
    b = write_feedback(con, tmp_path / "b")
    monkeypatch.undo()
    assert [p.name for p in a] == [p.name for p in b]
    for x, y in zip(a, b):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_no_date_in_the_data(con, tmp_path):
    con.execute("drop table raw.submissions")
    (path, *_) = write_feedback(con, tmp_path)
    texts = [c.value for row in load_workbook(path).active.iter_rows() for c in row if isinstance(c.value, str)]
    assert "　　年　　月　　日" in texts


def test_missing_findings_table_fails(con, tmp_path):
    con.execute("drop table marts.dq_issues")
    with pytest.raises(RuntimeError, match="dq_issues"):
        write_feedback(con, tmp_path)


def test_load_feedback_groups(con):
    groups = {g.township_code: g for g in load_feedback(con)}
    assert set(groups) == {DONGGANG, LIUSHU, SHUANGTA}
    assert (groups[DONGGANG].errors, groups[DONGGANG].warnings) == (6, 1)
    assert groups[SHUANGTA].township_name == "双塔镇" and groups[SHUANGTA].county_name == "永登县"


@pytest.mark.parametrize("message, area, period, expected", [
    (BAL := "新民村(620102100202) 2018 平衡关系不符:A06 = 99。 Balance failed: A06 (I13) = 99.", "620102100202", "2018",
     "平衡关系不符:A06 = 99。"),
    ("竹铺镇(450103101000) 未报送 2017H2 FP4(同市已有 11 个乡镇报送)。 Missing submission: no FP4", "450103101000",
     "2017H2", "未报送 2017年7-12月 扶贫4表(同市已有 11 个乡镇报送)。"),
    ("泉山乡(450103200000) 2018 FP3 有 2 份报表,均未采用:inbox/xx/2019-01-06/扶贫资金与项目.xlsx [Sheet1]; "
     "inbox/xx/扶贫3表.csv [x]。 Conflicting submissions", "450103200000", "2018",
     "扶贫3表 有 2 份报表,均未采用:扶贫资金与项目.xlsx [Sheet1]; 扶贫3表.csv [x]。"),
    ("区划代码不是12位 / area code is not 12 digits: 12345 [areas: expect_column]", None, None, "区划代码不是12位:12345"),
    ("Only English here.", None, None, "Only English here."),
    ("另一村(620102100299) 2018 数字有误。 Wrong.", "620102100202", "2018", "另一村(620102100299) 2018 数字有误。"),
])
def test_chinese_message(message, area, period, expected):
    assert chinese_message(message, area, period) == expected
