"""The layout variations of FORMS.md §4, one focused test each, on small hand-made sheets."""

from __future__ import annotations

import datetime as dt

import pytest
from ingest_kit import FP2_CODES, FP2_LABELS, FP2_LONGQUAN, figures, form, parse, read, write_csv, write_xlsx

from huizong.ingest.sheet import SheetRejected

LQ, QL, TOWN = "430506102201", "430506102202", "430506102000"


def expected_fp2() -> dict:
    out = {}
    for (name, vals), code in zip(FP2_LONGQUAN, (LQ, QL)):
        for ind, v in zip(FP2_CODES, vals):
            out[(code, ind)] = float(v)
    return out


def village_figures(sheet) -> dict:
    return {k: v for k, v in figures(sheet).items() if k[0] != TOWN}


def test_the_usual_layout_reads_every_figure():
    sheet = parse(form())
    assert sheet.form_code == "FP2" and sheet.period == "2018" and sheet.reporter.code == TOWN
    assert sheet.report_date == dt.date(2019, 1, 10)
    assert village_figures(sheet) == expected_fp2()
    total = [r for r in sheet.rows if r.row_kind == "total"]
    assert len(total) == 1 and total[0].area_code == TOWN
    assert {c.indicator_code: c.value for c in total[0].cells}["B04"] == 700


def test_column_order_shuffled():
    order = [8, 3, 0, 5, 7, 1, 6, 2, 4]
    labels = [FP2_LABELS[i] for i in order]
    rows = [[n, *[v[i] for i in order]] for n, v in FP2_LONGQUAN]
    sheet = parse(form(labels=labels, rows=rows, total=False))
    assert village_figures(sheet) == expected_fp2()
    assert sheet.columns["B09"] == "B" and sheet.columns["B01"] == "D"


def test_extra_columns_and_spacer_columns_are_ignored():
    labels = FP2_LABELS[:3] + ["通电户数", ""] + FP2_LABELS[3:] + ["备注"]
    rows = [[n, *v[:3], 77, "", *v[3:], "已出列"] for n, v in FP2_LONGQUAN]
    sheet = parse(form(labels=labels, rows=rows, total=False))
    assert village_figures(sheet) == expected_fp2()
    assert len(sheet.columns) == 9


def test_spacer_rows_between_header_and_villages():
    rows = form(total=False)
    header = next(i for i, r in enumerate(rows) if r[0] == "村名称")
    blank = [""] * len(rows[0])
    rows = rows[: header + 1] + [blank] + rows[header + 1 : header + 2] + [blank, blank] + rows[header + 2 :]
    assert village_figures(parse(rows)) == expected_fp2()


def test_column_number_row_is_skipped():
    rows = form(total=False)
    header = next(i for i, r in enumerate(rows) if r[0] == "村名称")
    rows.insert(header + 1, ["甲", *range(1, 10)])
    assert village_figures(parse(rows)) == expected_fp2()


def _two_level_rows():
    top = ["序号", "村名称", "公路里程", "", "", "住房", "", "危房改造", "", "", "安全饮水户数"]
    leaf = ["", "", "合计", "其中:硬化", "其中:土石", "砖混结构", "土坯房", "计划", "完成", "完成率", ""]
    head = [["基础设施与住房"], ["表号:扶贫2表"], ["2018年"], ["填报单位:夷陵区龙泉镇"], top, leaf]
    body = [[i + 1, n, *v] for i, (n, v) in enumerate(FP2_LONGQUAN)]
    rows = head + body + [["报出日期:2019年1月10日"]]
    width = max(len(r) for r in rows)
    return [r + [""] * (width - len(r)) for r in rows]


def test_two_level_header_with_merged_group_cells(tmp_path):
    rows = _two_level_rows()
    merges = ["A1:K1", "C5:E5", "F5:G5", "H5:J5", "A5:A6", "B5:B6", "K5:K6"]
    path = write_xlsx(tmp_path / "inbox" / "a.xlsx", {"表2": rows}, merges={"表2": merges})
    out = read(path, tmp_path)
    assert out.status == "loaded", out.message
    assert village_figures(out.sheets[0]) == expected_fp2()


def test_two_level_header_in_a_csv_group_over_empty_cells(tmp_path):
    path = write_csv(tmp_path / "inbox" / "b.csv", _two_level_rows())
    out = read(path, tmp_path)
    assert out.status == "loaded", out.message
    assert village_figures(out.sheets[0]) == expected_fp2()


def test_labels_with_units_spaces_line_breaks_and_full_width_punctuation():
    labels = ["公路里程（公里）", "硬化公路\n里程", " 土石公路里程 ", "砖混结构住房户数(户)", "土　坯　房　户　数", "危房改造计划户数（户）",
              "危房 改造完成户数", "危房改造完成率（%）", "安全饮水户数"]
    rows = form(labels=labels, total=False)
    rows[1][0] = "表号：扶贫2表"
    rows[3][0] = "填报单位：夷陵区龙泉镇"
    assert village_figures(parse(rows, name="x")) == expected_fp2()


def test_traditional_characters_in_labels_and_names():
    labels = ["公路里程", "硬化公路里程", "土石公路里程", "磚混結構住房戶數", "土坯房戶數", "危房改造計劃戶數", "危房改造完成戶數", "危房改造完成率", "安全飲水戶數"]
    rows = form(labels=labels, rows=[["龍泉村", *FP2_LONGQUAN[0][1]], ["青龍村", *FP2_LONGQUAN[1][1]]], total=False,
                unit="夷陵區龍泉鎮", title="基礎設施與住房")
    rows[1][0] = "表號:扶貧2表"
    assert village_figures(parse(rows)) == expected_fp2()


def test_numbers_as_text_thousands_full_width_and_trailing_units():
    rows = [["龙泉村", "21.5", "１３.５", "8公里", "400户", " 120 ", "10", "８", "80.0", "500"],
            ["青龙村", "30", "10", "20", "300", "100", "4", "1", "25", "380户"]]
    sheet = parse(form(rows=rows, total=False))
    assert village_figures(sheet) == expected_fp2()
    big = parse(form(rows=[["龙泉村", 1, 1, 0, "1,498", "１，４９８", 1, 1, 100, "2,996户"]], total=False))
    f = figures(big)
    assert (f[(LQ, "B04")], f[(LQ, "B05")], f[(LQ, "B09")]) == (1498.0, 1498.0, 2996.0)


@pytest.mark.parametrize("written", ["76.4%", 76.4, "76.4", "７６.４％"])
def test_percentages_written_as_text_or_number(written):
    rows = [["龙泉村", 21.5, 13.5, 8, 400, 120, 10, 8, written, 500]]
    assert figures(parse(form(rows=rows, total=False)))[(LQ, "B08")] == pytest.approx(76.4)


def test_percentage_as_a_fraction_in_a_percent_formatted_cell(tmp_path):
    rows = form(rows=[["龙泉村", 21.5, 13.5, 8, 400, 120, 10, 8, 0.8, 500], ["青龙村", 30, 10, 20, 300, 100, 4, 1, 0.25, 380]], total=False)
    header = next(i for i, r in enumerate(rows) if r[0] == "村名称")
    fmt = {f"I{header + 2}": "0.0%", f"I{header + 3}": "0%"}
    path = write_xlsx(tmp_path / "inbox" / "p.xlsx", {"Sheet1": rows}, formats={"Sheet1": fmt})
    out = read(path, tmp_path)
    assert out.status == "loaded", out.message
    f = figures(out.sheets[0])
    assert f[(LQ, "B08")] == pytest.approx(80.0) and f[(QL, "B08")] == pytest.approx(25.0)


def test_formula_in_the_total_row_counts_by_its_saved_value(tmp_path):
    rows = form(total_first=False)
    total_row = next(i for i, r in enumerate(rows) if r[0] == "合计") + 1
    path = write_xlsx(tmp_path / "inbox" / "f.xlsx", {"Sheet1": rows},
                      formulas={"Sheet1": {f"E{total_row}": f"SUM(E{total_row - 2}:E{total_row - 1})", f"B{total_row}": f"SUM(B{total_row - 2}:B{total_row - 1})"}})
    out = read(path, tmp_path)
    assert out.status == "loaded", out.message
    f = figures(out.sheets[0])
    assert f[(TOWN, "B04")] == 700 and f[(TOWN, "B01")] == 51.5


@pytest.mark.parametrize("marker", ["", "-", "—", "/", "无", "－", "--"])
def test_blank_markers_mean_zero(marker):
    rows = [["龙泉村", 21.5, 13.5, 8, 400, 120, 10, marker, 0, 500]]
    f = figures(parse(form(rows=rows, total=False)))
    assert f[(LQ, "B07")] == 0.0


def test_a_village_whose_figures_are_all_blank_did_not_report():
    rows = [["龙泉村", *FP2_LONGQUAN[0][1]], ["青龙村", "", "-", "", "", "/", "", "—", "", ""]]
    sheet = parse(form(rows=rows, total=False))
    ql = next(r for r in sheet.rows if r.area_code == QL)
    assert ql.reported is False and ql.cells == []
    assert next(r for r in sheet.rows if r.area_code == LQ).reported


FP1_LABELS = ["总户数", "总人口", "耕地面积", "是否贫困村"]


def fp1(rows, decl="计量单位:个、户、人、亩、元", labels=None, total=False):
    return form(table_no="扶贫1表", title="贫困人口基本情况", labels=labels or FP1_LABELS, rows=rows, decl=decl, total=total)


@pytest.mark.parametrize("yes,no", [("是", "否"), ("Y", "N"), (1, 0), ("1", "0"), ("y", "n")])
def test_flag_column_variants(yes, no):
    f = figures(parse(fp1([["龙泉村", 100, 300, 15, yes], ["青龙村", 100, 300, 15, no]])))
    assert (f[(LQ, "A21")], f[(QL, "A21")]) == (1.0, 0.0)


def test_a_flag_that_is_not_a_flag_is_kept_as_text_without_value():
    sheet = parse(fp1([["龙泉村", 100, 300, 15, "待定"]]))
    cell = next(c for r in sheet.rows for c in r.cells if c.indicator_code == "A21")
    assert cell.value is None and cell.raw_text == "待定"


def test_the_total_row_of_a_flag_column_holds_the_number_flagged():
    rows = [["合计", 200, 600, 30, 3], ["龙泉村", 100, 300, 15, "是"], ["青龙村", 100, 300, 15, "否"]]
    assert figures(parse(fp1(rows)))[(TOWN, "A21")] == 3.0


def test_land_in_hectares_by_the_header():
    labels = ["总户数", "总人口", "耕地面积(公顷)", "是否贫困村"]
    f = figures(parse(fp1([["龙泉村", 100, 300, 12.4, "是"]], labels=labels)))
    assert f[(LQ, "A04")] == pytest.approx(186.0)


def test_land_in_hectares_by_the_sheet_declaration():
    f = figures(parse(fp1([["龙泉村", 100, 300, 12.4, "是"]], decl="计量单位:个、户、人、公顷、元")))
    assert f[(LQ, "A04")] == pytest.approx(186.0) and f[(LQ, "A02")] == 100


FP3_LABELS = ["项目个数", "计划总投资", "已完成投资", "投资完成率", "财政专项扶贫资金", "整合部门资金", "社会帮扶资金", "群众自筹资金"]


def fp3(rows, decl="计量单位:个、万元", labels=None):
    return form(table_no="扶贫3表", title="扶贫资金与项目", labels=labels or FP3_LABELS, rows=rows, decl=decl, total=False)


def test_amounts_in_yuan_by_the_sheet_declaration():
    f = figures(parse(fp3([["龙泉村", 7, 2641600, 1893900, 71.7, 1467000, 796000, 113600, 265000]], decl="计量单位:个、元")))
    assert f[(LQ, "C02")] == pytest.approx(264.16) and f[(LQ, "C08")] == pytest.approx(26.5)
    assert f[(LQ, "C01")] == 7 and f[(LQ, "C04")] == 71.7


def test_amounts_in_yuan_by_a_header_unit():
    labels = ["项目个数", "计划总投资(元)", "已完成投资（元）", "投资完成率", "财政专项扶贫资金", "整合部门资金", "社会帮扶资金", "群众自筹资金"]
    f = figures(parse(fp3([["龙泉村", 7, 2641600, 1893900, 71.7, 146.7, 79.6, 11.36, 26.5]], labels=labels)))
    assert f[(LQ, "C02")] == pytest.approx(264.16) and f[(LQ, "C03")] == pytest.approx(189.39)
    assert f[(LQ, "C05")] == pytest.approx(146.7)


def test_a_trailing_yuan_in_a_wanyuan_sheet_converts():
    f = figures(parse(fp3([["龙泉村", 7, "2641600元", "189.39万元", 71.7, 146.7, 79.6, 11.36, 26.5]])))
    assert f[(LQ, "C02")] == pytest.approx(264.16) and f[(LQ, "C03")] == pytest.approx(189.39)


@pytest.mark.parametrize("written,code", [
    ("450506102201", None), ("龙泉", None), ("龍泉村", None), ("桥边", "430504103001"), ("老街村", "430504103203"),
    ("老街", "430504103203"), ("松樹村", "430504103202"),
])
def test_village_identified_by_code_name_without_suffix_traditional_or_alias(written, code):
    if code is None:
        code = LQ
    if written.isdigit():
        written = "430506102201"
    unit = "夷陵区龙泉镇" if code.startswith("430506") else "点军区土城乡"
    rows = [[written, *FP2_LONGQUAN[0][1]]]
    assert figures(parse(form(rows=rows, unit=unit, total=False)))[(code, "B04")] == 400


def test_village_by_its_code_column_whatever_the_name():
    rows = form(rows=[["乱写的名字", *FP2_LONGQUAN[0][1]]], total=False)
    header = next(i for i, r in enumerate(rows) if r[0] == "村名称")
    rows = [r[:] for r in rows]
    rows[header] = ["区划代码", *rows[header]]
    rows[header + 1] = [430506102202.0, *rows[header + 1]]
    for i in range(len(rows)):
        if i not in (header, header + 1):
            rows[i] = ["", *rows[i]]
    f = figures(parse(rows))
    assert f[(QL, "B04")] == 400


def test_a_village_the_registry_does_not_know_is_kept_unmatched():
    sheet = parse(form(rows=[["无名村", *FP2_LONGQUAN[0][1]], ["青龙村", *FP2_LONGQUAN[1][1]]], total=False))
    unknown = [r for r in sheet.rows if r.area_code is None]
    assert [r.name_raw for r in unknown] == ["无名村"] and unknown[0].row_kind == "village" and unknown[0].cells


def test_villages_of_the_period_year_after_a_merger():
    rows2017 = [["彭家坡村", *FP2_LONGQUAN[0][1]]]
    assert figures(parse(form(rows=rows2017, unit="点军区土城乡", period="2017年", total=False)))[("430504103204", "B04")] == 400
    rows2018 = [["彭家坡村", *FP2_LONGQUAN[0][1]], ["新和村", *FP2_LONGQUAN[1][1]]]
    f = figures(parse(form(rows=rows2018, unit="点军区土城乡", period="2018年", total=False)))
    assert ("彭家坡村", "B04") in f and f[("430504103205", "B04")] == 300


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_or_gbk(tmp_path, encoding):
    path = write_csv(tmp_path / "inbox" / "x.csv", form(), encoding)
    out = read(path, tmp_path)
    assert out.status == "loaded", out.message
    assert village_figures(out.sheets[0]) == expected_fp2()


@pytest.mark.parametrize("footer", [
    [["单位负责人:王建国　　统计负责人:李红梅　　填表人:陈明　　报出日期:2019年1月10日"]],
    [["报出日期：2019-01-10"]],
    [["填表人:陈明", "", "報出日期:", "2019/1/10"]],
    [["单位负责人:王建国", "", "报出日期", "2019年1月10日"]],
])
def test_report_date_in_footer_text_or_beside_its_label(footer):
    assert parse(form(footer=footer)).report_date == dt.date(2019, 1, 10)


def test_report_date_as_a_date_cell_beside_its_label(tmp_path):
    rows = form(footer=[["单位负责人:王建国", "", "报出日期:", dt.datetime(2019, 1, 10)]])
    last = len(rows)
    path = write_xlsx(tmp_path / "inbox" / "d.xlsx", {"Sheet1": rows}, formats={"Sheet1": {f"D{last}": 'yyyy"年"m"月"d"日"'}})
    out = read(path, tmp_path)
    assert out.status == "loaded", out.message
    assert out.sheets[0].report_date == dt.date(2019, 1, 10)


@pytest.mark.parametrize("first", [True, False])
def test_total_row_above_or_below_the_villages(first):
    sheet = parse(form(total_first=first))
    assert village_figures(sheet) == expected_fp2()
    assert [r.row_kind for r in sheet.rows].count("total") == 1


@pytest.mark.parametrize("label", ["总计", "合  计", "合\u3000计"])
def test_total_row_label_variants(label):
    rows = form()
    i = next(i for i, r in enumerate(rows) if r[0] == "合计")
    rows[i][0] = label
    assert [r.row_kind for r in parse(rows).rows].count("total") == 1


def test_total_label_in_the_serial_column_under_a_one_level_header():
    # Regression: such a 合计 row right under the header was taken for a second header row.
    labels = ["村名称"] + FP2_LABELS
    rows = form(labels=FP2_LABELS)
    header = next(i for i, r in enumerate(rows) if r[0] == "村名称")
    fixed = []
    for i, r in enumerate(rows):
        if i == header:
            fixed.append(["序号", *labels])
        elif r[0] == "合计":
            fixed.append(["合计", "", *r[1:]])
        elif i > header and r[0] in ("龙泉村", "青龙村"):
            fixed.append([str(i - header), *r])
        else:
            fixed.append(["", *r] if i > header else r + [""])
    sheet = parse(fixed)
    assert village_figures(sheet) == expected_fp2()
    assert [r.row_kind for r in sheet.rows].count("total") == 1


def test_the_total_row_may_carry_the_townships_code_and_name_the_reporter():
    rows = form(unit=None)
    header = next(i for i, r in enumerate(rows) if r[0] == "村名称")
    rows = [["", *r] for r in rows]
    rows[header][0] = "区划代码"
    total = next(i for i, r in enumerate(rows) if r[1] == "合计")
    rows[total][0] = "430506102"
    sheet = parse(rows)
    assert sheet.reporter.code == TOWN
    assert village_figures(sheet) == expected_fp2()


@pytest.mark.parametrize("unit", ["夷陵区龙泉镇", "龙泉镇(430506102)", "龙泉镇（430506102000）", "龙泉镇", "夷陵區龍泉鎮", "宜昌市夷陵区龙泉镇"])
def test_reporting_unit_written_with_county_or_code(unit):
    assert parse(form(unit=unit)).reporter.code == TOWN


def test_a_township_name_in_two_counties_needs_its_county_or_code():
    rows = [["白沙村", *FP2_LONGQUAN[0][1]]]
    assert parse(form(unit="伍家岗区土城乡", rows=rows, total=False)).reporter.code == "430505101000"
    assert parse(form(unit="土城乡(430505101)", rows=rows, total=False)).reporter.code == "430505101000"
    with pytest.raises(SheetRejected, match="not in the registry"):
        parse(form(unit="土城乡", rows=rows, total=False))


@pytest.mark.parametrize("written,period", [
    ("2018年", "2018"), ("2018年度", "2018"), ("2018年1-12月", "2018"), ("2018年1-6月", "2018H1"), ("2018年上半年", "2018H1"),
])
def test_period_variants(written, period):
    assert parse(form(period=written)).period == period


@pytest.mark.parametrize("written,period", [("2018年7-12月", "2018H2"), ("2018年下半年", "2018H2"), ("2018年1-6月", "2018H1")])
def test_period_variants_of_form_4(written, period):
    labels = ["小学补助人次", "小学补助金额", "医疗救助人次"]
    rows = form(table_no="扶贫4表", title="教育、医疗与就业帮扶", labels=labels, rows=[["龙泉村", 2, 1000, 3]], period=written,
                decl="计量单位:人次、元", total=False)
    assert parse(rows).period == period


def test_period_only_in_the_title():
    rows = form(period=None, title="2018年上半年基础设施与住房")
    assert parse(rows).period == "2018H1"


@pytest.mark.parametrize("sep", [" ", "", "\u3000", "  "])
def test_header_items_joined_in_one_cell_by_any_space(sep):
    # Regression: a single space between 表号 and 制定机关, or between the unit and the
    # period, made the 表号 unknown and lost the period.
    rows = form(period=None, unit=None, decl=None)
    rows[1] = [sep.join(["表号:扶贫2表", "制定机关:宜昌市统计局", "有效期至:2019年12月"])] + [""] * (len(rows[1]) - 1)
    rows.insert(2, [sep.join(["填报单位:龙泉镇(430506102)", "2018年1-6月", "计量单位:公里、户"])] + [""] * (len(rows[1]) - 1))
    sheet = parse(rows)
    assert (sheet.form_code, sheet.period, sheet.reporter.code, sheet.declared_units) == ("FP2", "2018H1", TOWN, ("公里", "户"))


def test_a_form_not_reported_for_the_period_is_rejected():
    with pytest.raises(SheetRejected, match="not reported for period"):
        parse(form(period="2018年7-12月"))


def test_several_forms_per_workbook_and_non_form_sheets(tmp_path):
    fp1_rows = fp1([["龙泉村", 100, 300, 15, "是"], ["青龙村", 100, 300, 15, "否"]])
    fp1_rows[-1] = [""] * len(fp1_rows[-1])  # no 报出日期 on this sheet: it takes its sibling's
    sheets = {
        "填表说明": [["填表说明"], ["1.本表由乡镇扶贫工作站填写。"]],
        "表1": fp1_rows,
        "Sheet2": form(),
        "Sheet3": [],
    }
    out = read(write_xlsx(tmp_path / "inbox" / "w.xlsx", sheets), tmp_path)
    assert out.status == "loaded", out.message
    assert sorted(s.form_code for s in out.sheets) == ["FP1", "FP2"]
    assert {s.report_date for s in out.sheets} == {dt.date(2019, 1, 10)}


def test_one_form_per_workbook(tmp_path):
    out = read(write_xlsx(tmp_path / "inbox" / "one.xlsx", {"随便": form()}), tmp_path)
    assert out.status == "loaded" and [s.form_code for s in out.sheets] == ["FP2"]
    assert out.rows_loaded == 27


def test_targets_of_the_city_by_county():
    labels = ["年度减贫人数目标", "危房改造目标户数(户)", "年度投资目标(万元)"]
    rows = form(table_no="扶贫T表", title="年度目标任务", unit="宜昌市(4305)", labels=labels, name_label="单位名称",
                rows=[["点军区", 100, 20, 300.5], ["伍家岗区", 50, 10, 100.25], ["夷陵區", 70, 5, 50]],
                total=["合计", 220, 35, 450.75][1:], decl="计量单位:人、户、万元")
    sheet = parse(rows)
    assert sheet.reporter.code == "430500000000"
    f = figures(sheet)
    assert f[("430504000000", "T01")] == 100 and f[("430506000000", "T03")] == 50 and f[("430500000000", "T03")] == 450.75
    assert {r.row_kind for r in sheet.rows} == {"county", "total"}
