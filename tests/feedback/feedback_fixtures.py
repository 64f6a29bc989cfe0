"""A hand-built warehouse for the feedback notices: the registry, the catalog's indicators,
a few submissions and findings. No dbt, no reader, no rules engine."""

from __future__ import annotations

from datetime import date

import duckdb

from huizong.catalog import default_catalog

PROVINCE, CITY = "620000000000", "620100000000"
COUNTY_A, COUNTY_B = "620102000000", "620121000000"
DONGGANG = "620102100000"  # errors and a warning
XIHU = "620102101000"  # clean: no notice
LIUSHU = "620121100000"  # findings without township_code, found through their villages
SHUANGTA = "620121101000"  # renamed in 2018 (双塔乡 -> 双塔镇)
HONGXING, XINMIN = "620102100201", "620102100202"
DASHA = "620121100201"
MOVED = "620121100202"  # 柳树乡's until 2017, 双塔镇's from 2018
LATEST_REPORT_DATE = date(2019, 1, 22)

AREAS = [
    # code, name, level, parent, township, county, city, valid_from, valid_to
    (PROVINCE, "甘宁省", "province", None, None, None, None, 1984, None),
    (CITY, "兰河市", "city", PROVINCE, None, None, CITY, 1984, None),
    (COUNTY_A, "城关区", "county", CITY, None, COUNTY_A, CITY, 1984, None),
    (COUNTY_B, "永登县", "county", CITY, None, COUNTY_B, CITY, 1984, None),
    (DONGGANG, "东岗镇", "township", COUNTY_A, DONGGANG, COUNTY_A, CITY, 1990, None),
    (XIHU, "西湖街道", "township", COUNTY_A, XIHU, COUNTY_A, CITY, 1990, None),
    (LIUSHU, "柳树乡", "township", COUNTY_B, LIUSHU, COUNTY_B, CITY, 1990, None),
    (SHUANGTA, "双塔乡", "township", COUNTY_B, SHUANGTA, COUNTY_B, CITY, 1990, 2017),
    (SHUANGTA, "双塔镇", "township", COUNTY_B, SHUANGTA, COUNTY_B, CITY, 2018, None),
    (HONGXING, "红星村", "village", DONGGANG, DONGGANG, COUNTY_A, CITY, 1990, None),
    (XINMIN, "新民村", "village", DONGGANG, DONGGANG, COUNTY_A, CITY, 1990, None),
    ("620102101201", "湖滨社区", "village", XIHU, XIHU, COUNTY_A, CITY, 1990, None),
    (DASHA, "大沙村", "village", LIUSHU, LIUSHU, COUNTY_B, CITY, 1990, None),
    (MOVED, "河湾村", "village", LIUSHU, LIUSHU, COUNTY_B, CITY, 1990, 2017),
    (MOVED, "河湾村", "village", SHUANGTA, SHUANGTA, COUNTY_B, CITY, 2018, None),
]

BAL_MSG = ("新民村(620102100202) 2018 平衡关系不符:A06 = 99,A09 + A11 + A13 + A15 = 100,相差 -1。 "
           "Balance failed: A06 (I13) = 99 but A09 + A11 + A13 + A15 = 100 (imbalance -1).")
# rule_id, family, severity, period, area_code, indicator_codes, observed, expected, message,
# source_file, source_sheet, source_cell, form_code, township_code
ISSUES = [
    ("plausibility.year_over_year", "plausibility", "warning", "2018", HONGXING, ["A03"], 2367.0, 1690.0,
     "红星村(620102100201) 2018 总人口同比变化 40.1%(超过 ±30%):2367,上年 2017 为 1690。 Year-over-year change of A03.",
     "inbox/刘姐/20190120/东岗镇扶贫1表.xlsx", "表1", "G10", "FP1", DONGGANG),
    ("balance.A06", "balance", "error", "2018", XINMIN, ["A06", "A09", "A11", "A13", "A15"], 99.0, 100.0, BAL_MSG,
     "inbox/刘姐/20190120/东岗镇扶贫1表.xlsx", "表1", "I13", "FP1", DONGGANG),
    ("balance.A06", "balance", "error", "2018", DONGGANG, ["A06", "A09", "A11", "A13", "A15"], 453.0, 454.0,
     "东岗镇(620102100000) 2018 平衡关系不符:A06 = 453,A09 + A11 + A13 + A15 = 454,相差 -1。 Balance failed.",
     "inbox/刘姐/20190120/东岗镇扶贫1表.xlsx", "表1", "I16", "FP1", DONGGANG),
    ("bounds.non_integer_count", "bounds", "error", "2017", HONGXING, ["A01"], 8.5, 9.0,
     "红星村(620102100201) 2017 村民小组数不是整数:8.5(单元格 C7,原文 \"8.5\")。 Count is not a whole number.",
     "inbox/微信/东岗镇2017.xlsx", "表1", "C7", "FP1", DONGGANG),
    ("cross_period.h1_le_annual", "cross_period", "error", "2018H1", HONGXING, ["C01"], 5.0, 4.0,
     "红星村(620102100201) 2018H1 上半年累计数大于全年数:项目个数 上半年 = 5,2018 全年 = 4。 H1 flow exceeds.",
     "inbox/微信/东岗镇扶贫3表.xlsx", "=SUM(A1:A9)", "C10", "FP3", DONGGANG),
    ("completeness.missing_submission", "completeness", "error", "2018", DONGGANG, [], None, None,
     "东岗镇(620102100000) 未报送 2018 FP2(同市已有 3 个乡镇报送)。 Missing submission: no FP2 for 2018.",
     None, None, None, "FP2", DONGGANG),
    ("completeness.unknown_area", "completeness", "error", "2018", None, [], None, None,
     "=东岗镇 2018 FP1 第 17 行的村名或代码无法识别:\"钟家台村\" 。 Unknown village: row 17.",
     "inbox/刘姐/20190120/东岗镇扶贫1表.xlsx", "表1", "17:17", "FP1", DONGGANG),
    # 柳树乡: a warning found through its village's registry entry
    ("plausibility.C03_le_C02", "plausibility", "warning", "2018", DASHA, ["C03", "C02"], 299.32, 267.25,
     "大沙村(620121100201) 2018 超额完成:C03 = 299.32 > C02 = 267.25,请核实。 Over-completion.",
     "inbox/李主任/柳树乡3表.csv", "柳树乡3表", "E11", None, None),
    # the moved village: 2017 belongs to 柳树乡, 2018 to 双塔镇
    ("bounds.negative", "bounds", "error", "2017", MOVED, ["A20"], -19.0, 0.0,
     "河湾村(620121100202) 2017 低保人数为负数:-19。 Negative number.",
     "inbox/a/柳树乡.xlsx", "Sheet1", "V10", "FP1", None),
    ("bounds.negative", "bounds", "error", "2018", MOVED, ["A20"], -3.0, 0.0,
     "河湾村(620121100202) 2018 低保人数为负数:-3。 Negative number.",
     "inbox/b/双塔镇.xlsx", "Sheet1", "V10", "FP1", None),
    ("plausibility.pilot", "plausibility", "warning", "2018", MOVED, ["X99"], 1.0, 2.0,
     "河湾村(620121100202) 2018 试点指标偏低。 Pilot indicator low.", None, None, None, None, SHUANGTA),
    # above the townships: no notice
    ("plausibility.h1_progress", "plausibility", "warning", "2018H1", COUNTY_B, ["T03", "C03"], 0.29, 0.5,
     "永登县(620121000000) 2018H1 T03 目标完成进度 29%。 H1 progress below 50%.",
     "inbox/市扶贫办/目标.xlsx", "Sheet1", "D6", "FPT", None),
]


def build_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    cat = default_catalog()
    con.execute("create schema marts; create schema raw")
    con.execute(
        """create table marts.dim_area (area_code varchar, area_name varchar, area_level varchar, parent_code varchar,
           township_code varchar, county_code varchar, city_code varchar, valid_from integer, valid_to integer)"""
    )
    con.executemany("insert into marts.dim_area values (?, ?, ?, ?, ?, ?, ?, ?, ?)", AREAS)
    con.execute(
        """create table marts.dim_indicator (indicator_code varchar, form_code varchar, label varchar, unit varchar,
           kind varchar, decimals integer)"""
    )
    con.executemany(
        "insert into marts.dim_indicator values (?, ?, ?, ?, ?, ?)",
        [(i.code, i.form_code, i.label, i.unit, i.kind, i.decimals) for i in cat.indicators.values()]
        + [("X99", "FPX", "试点指标", "个", "stock", 0)],
    )
    con.execute(
        """create table marts.dq_issues (rule_id varchar, family varchar, severity varchar, period varchar,
           area_code varchar, indicator_codes varchar[], observed double, expected double, message varchar,
           source_file varchar, source_sheet varchar, source_cell varchar, form_code varchar, township_code varchar)"""
    )
    con.executemany("insert into marts.dq_issues values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ISSUES)
    con.execute("create table raw.submissions (submission_id varchar, form_code varchar, period varchar, report_date date)")
    con.executemany(
        "insert into raw.submissions values (?, ?, ?, ?)",
        [("s1", "FP1", "2018", date(2019, 1, 10)), ("s2", "FP3", "2018", LATEST_REPORT_DATE),
         ("s3", "FP1", "2018H1", date(2018, 7, 8)), ("s4", "FP1", "2018", None)],
    )
