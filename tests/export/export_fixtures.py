"""A small warehouse built by hand: a province, a city, two counties, townships and villages,
facts for FP1 (2018, 2018H1), FP3 (2018), FP4 (2018H1, 2018H2, 2018), target progress, a few
submissions and data-quality findings. No dbt, no reader."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
import duckdb

from huizong.catalog import default_catalog

PROVINCE, CITY = "610000000000", "610500000000"
COUNTY_A, COUNTY_B = "610521000000", "610522000000"
TOWNSHIPS = {
    # code: (name, county, valid_from, valid_to)
    "610521100000": ("竹堡镇", COUNTY_A, 2011, None),
    "610521101000": ("北田镇", COUNTY_A, 1992, None),
    "610521102000": ("旧关镇", COUNTY_A, 1990, 2017),  # gone before 2018: in no 2018 table
    "610522100000": ("桃场镇", COUNTY_B, 1990, None),
    "610522101000": ("茶溪镇", COUNTY_B, 1990, None),
}
VILLAGES = {code[:9] + "201": (f"{name[:2]}村", code) for code, (name, *_rest) in TOWNSHIPS.items()}
BAD_VILLAGE = "610521100201"  # its FP1 2018 A20 has an error finding
FORM_PERIODS = {"FP1": ("2018", "2018H1"), "FP3": ("2018",), "FP4": ("2018", "2018H1", "2018H2")}
ISSUER = "五源市统计局"
FORMULA_ISSUER = "=HYPERLINK(\"http://x\",\"统计局\")"  # FP3's 制定机关, typed by a prankster


def _value(period: str, area: str, indicator: str, decimals: int, kind: str) -> float:
    h = int(hashlib.sha1(f"{period}|{area}|{indicator}".encode()).hexdigest(), 16)
    if decimals == 0 and kind in ("stock", "flow", "flag"):
        return float(h % 5000)
    return (h % 10_000_000) / 10_000 + 0.00001  # never a tie at 0..2 decimals


def areas() -> list[tuple]:
    rows = [
        (PROVINCE, "陕西省", "province", None, 1984, None),
        (CITY, "五源市", "city", PROVINCE, 1984, None),
        (COUNTY_A, "竹平县", "county", CITY, 1984, None),
        (COUNTY_B, "上庆县", "county", CITY, 1984, None),
    ]
    rows += [(c, n, "township", p, vf, vt) for c, (n, p, vf, vt) in TOWNSHIPS.items()]
    rows += [(c, n, "village", p, TOWNSHIPS[p][2], TOWNSHIPS[p][3]) for c, (n, p) in VILLAGES.items()]
    return rows


def build_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    cat = default_catalog()
    con.execute("create schema marts; create schema raw")
    con.execute(
        """create table marts.dim_area (area_code varchar, area_name varchar, area_level varchar,
           parent_code varchar, city_code varchar, county_code varchar, township_code varchar,
           province_code varchar, valid_from integer, valid_to integer)"""
    )
    for code, name, level, parent, vf, vt in areas():
        con.execute(
            "insert into marts.dim_area values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [code, name, level, parent, code[:4] + "0" * 8, code[:6] + "0" * 6 if level in ("county", "township", "village") else None,
             code[:9] + "000" if level in ("township", "village") else None, PROVINCE, vf, vt],
        )
    con.execute(
        """create table marts.dim_indicator as select * from (values (null::varchar, null::varchar, null::varchar,
           null::varchar, null::varchar, null::integer)) t(indicator_code, form_code, label, unit, kind, decimals) where false"""
    )
    con.executemany(
        "insert into marts.dim_indicator values (?, ?, ?, ?, ?, ?)",
        [(i.code, i.form_code, i.label, i.unit, i.kind, i.decimals) for i in cat.indicators.values()],
    )
    con.execute(
        """create table marts.fct_area_indicator (period varchar, area_code varchar, area_level varchar,
           indicator_code varchar, value double)"""
    )
    facts = []
    for form, periods in FORM_PERIODS.items():
        for period in periods:
            year = int(period[:4])
            for code, _name, level, _p, vf, vt in areas():
                if not (vf <= year and (vt is None or year <= vt)):
                    continue
                for ind in cat.indicators_of(form):
                    value = _value(period, code, ind.code, ind.decimals, ind.kind)
                    if code == "610522101000" and ind.code == "B08":
                        value = None
                    facts.append((period, code, level, ind.code, value))
    # a ratio with a zero denominator is NULL in the mart: a blank cell
    facts = [(p, a, l, i, None if (a == "610521101000" and i == "A05" and p == "2018") else v) for p, a, l, i, v in facts]
    con.executemany("insert into marts.fct_area_indicator values (?, ?, ?, ?, ?)", facts)

    con.execute(
        """create table marts.fct_target_progress (period varchar, area_code varchar, area_level varchar,
           target_code varchar, target double, actual double, progress double)"""
    )
    progress = []
    targets = {COUNTY_A: (1200, 500, 3000.5), COUNTY_B: (1355, 625, 2526.8)}
    actual_h1 = {COUNTY_A: (700, 300, 1400.25), COUNTY_B: (500, 400, 1000.0)}
    actual_y = {COUNTY_A: (1503, 700, 3100.75), COUNTY_B: (1636, 721, 2977.19)}
    for period, actuals in (("2018", actual_y), ("2018H1", actual_h1)):
        sums = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
        for county in (COUNTY_A, COUNTY_B):
            for k, t in enumerate(("T01", "T02", "T03")):
                tg, ac = targets[county][k], actuals[county][k]
                sums[0][k] += tg
                sums[1][k] += ac
                progress.append((period, county, "county", t, tg, ac, ac / tg))
        for k, t in enumerate(("T01", "T02", "T03")):
            progress.append((period, CITY, "city", t, sums[0][k], sums[1][k], sums[1][k] / sums[0][k]))
    con.executemany("insert into marts.fct_target_progress values (?, ?, ?, ?, ?, ?, ?)", progress)

    con.execute(
        """create table marts.dq_issues (rule_id varchar, family varchar, severity varchar, period varchar,
           area_code varchar, indicator_codes varchar[], observed varchar, expected varchar, message varchar,
           source_file varchar, source_sheet varchar, source_cell varchar, form_code varchar, township_code varchar)"""
    )
    add_issue(con, "bounds_negative", "bounds", "error", "2018", BAD_VILLAGE, ["A20"], "FP1", "-19", ">= 0")
    add_issue(con, "plausibility_h1_progress", "plausibility", "warning", "2018H1", COUNTY_B, ["T03", "C03"], "FPT",
              "39.6%", ">= 50%")
    add_issue(con, "plausibility_household_size", "plausibility", "warning", "2018", "610522100201", ["A03", "A02"],
              "FP1", "9.1", "1.5..8")

    con.execute(
        """create table raw.submissions (submission_id varchar, file_path varchar, sheet_name varchar,
           form_code varchar, period varchar, reporter_code varchar, reporter_level varchar, report_date date,
           declared_units varchar, issuer varchar, content_hash varchar, n_rows integer)"""
    )
    subs = []
    for form, periods in FORM_PERIODS.items():
        for period in periods:
            if form == "FP4" and period == "2018":
                continue  # FP4 is reported by half-year only
            for n, (code, (_name, _county, _vf, vt)) in enumerate(TOWNSHIPS.items()):
                if vt is not None:
                    continue
                year = int(period[:4]) + (0 if period.endswith("H1") else 1)
                month = 7 if period.endswith("H1") else 1
                d = date(year, month, 5 + n + (3 if form == "FP4" else 0))
                subs.append((f"{form}{period}{code}", f"inbox/{code}.xlsx", form, form, period, code, "township", d,
                             None, FORMULA_ISSUER if form == "FP3" else ISSUER, "x", 1))
    subs.append(("FPT2018", "inbox/targets.xlsx", "T", "FPT", "2018", CITY, "city", date(2018, 2, 1), None, ISSUER, "x", 2))
    con.executemany("insert into raw.submissions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", subs)
    con.execute("create table raw.files (file_path varchar, read_at timestamp)")
    con.execute("insert into raw.files values ('inbox/x.xlsx', ?)", [datetime(2019, 2, 3, 4, 5, 6)])


def add_issue(con, rule_id, family, severity, period, area, indicators, form_code, observed="", expected=""):
    con.execute(
        "insert into marts.dq_issues values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'inbox/x.xlsx', 'Sheet1', 'D9', ?, ?)",
        [rule_id, family, severity, period, area, indicators, observed, expected, f"{rule_id} at {area}", form_code,
         area[:9] + "000"],
    )
