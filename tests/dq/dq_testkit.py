"""A tiny warehouse for rule tests: the engine's inputs, built by hand in an in-memory DuckDB
(imported as ``dq_testkit``; the fixtures are in conftest.py).

``Warehouse`` creates ``raw.areas``, ``raw.subsidy_rates``, ``raw.rows``,
``intermediate.int_submissions_resolved``, ``intermediate.int_reported_cells``,
``intermediate.int_area_years``, ``marts.fct_area_indicator`` and
``marts.fct_target_progress`` with the columns of docs/CONTRACTS.md and INTERFACE.md, and
helpers to add a registry, submissions and rows (cells get addresses from the catalog's
column positions: A01 in column B, A02 in C, ...).
"""

from __future__ import annotations

import functools
import itertools

import duckdb

from huizong.catalog import default_catalog
from huizong.dq import load_rules, run_rules


@functools.lru_cache(maxsize=1)
def declared_rules():
    """The declarations of expectations/rules (parsed once per test session)."""
    return tuple(load_rules())

DDL = """
create schema raw; create schema intermediate; create schema marts;
create table raw.areas (code varchar, name varchar, level varchar, parent_code varchar, valid_from integer,
                        valid_to integer, successor_code varchar, aliases varchar);
create table raw.subsidy_rates (year integer, amount_code varchar, count_code varchar, rate double);
create table raw.rows (submission_id varchar, file_path varchar, sheet_name varchar, row_number integer,
                       row_kind varchar, name_raw varchar, code_raw varchar, area_code varchar, reported boolean);
create table intermediate.int_submissions_resolved (
    submission_id varchar, file_path varchar, sheet_name varchar, form_code varchar, period varchar,
    reporter_code varchar, reporter_level varchar, report_date date, declared_units varchar, issuer varchar,
    content_hash varchar, n_rows integer, resolution varchar, conflict_with varchar);
create table intermediate.int_reported_cells (
    submission_id varchar, file_path varchar, sheet_name varchar, cell varchar, row_number integer,
    form_code varchar, period varchar, township_code varchar, area_code varchar, area_name varchar,
    row_kind varchar, indicator_code varchar, raw_text varchar, value double, year integer, period_kind varchar);
create table intermediate.int_area_years (year integer, area_code varchar, area_name varchar, area_level varchar,
    parent_code varchar, township_code varchar, county_code varchar, city_code varchar, province_code varchar);
create table marts.fct_area_indicator (period varchar, area_code varchar, area_level varchar,
    indicator_code varchar, value double);
create table marts.fct_target_progress (period varchar, area_code varchar, area_level varchar, target_code varchar,
    target double, actual double, progress double);
"""

PROVINCE, CITY, COUNTY, COUNTY2 = "610000000000", "610500000000", "610521000000", "610522000000"
T1, T2, T3 = "610521100000", "610521101000", "610522100000"
T1_VILLAGES = ["610521100001", "610521100002", "610521100003", "610521100004"]
T2_VILLAGES = ["610521101001", "610521101002"]
T3_VILLAGES = ["610522100001", "610522100002"]


def period_kind(period: str) -> str:
    return "YYYY" + period[4:] if len(period) > 4 else "YYYY"


class Warehouse:
    def __init__(self):
        self.con = duckdb.connect()
        self.con.execute(DDL)
        self.catalog = default_catalog()
        self._ids = itertools.count(1)

    # -- registry -------------------------------------------------------------------------
    def area(self, code, name, level, parent=None, valid_from=2000, valid_to=None, successor=None):
        self.con.execute(
            "insert into raw.areas values (?, ?, ?, ?, ?, ?, ?, null)", [code, name, level, parent, valid_from, valid_to, successor]
        )
        return self

    def standard_registry(self):
        self.area(PROVINCE, "陕西省", "province").area(CITY, "五源市", "city", PROVINCE)
        self.area(COUNTY, "竹平县", "county", CITY).area(COUNTY2, "上庆县", "county", CITY)
        self.area(T1, "竹堡镇", "township", COUNTY).area(T2, "北田镇", "township", COUNTY)
        self.area(T3, "上川镇", "township", COUNTY2)
        for i, code in enumerate(T1_VILLAGES, 1):
            self.area(code, f"竹{i}村", "village", T1)
        for i, code in enumerate(T2_VILLAGES, 1):
            self.area(code, f"北{i}村", "village", T2)
        for i, code in enumerate(T3_VILLAGES, 1):
            self.area(code, f"上{i}村", "village", T3)
        return self

    def area_years(self, years=range(2016, 2020)):
        """intermediate.int_area_years from raw.areas (what dbt builds)."""
        self.con.execute("delete from intermediate.int_area_years")
        self.con.execute(
            """insert into intermediate.int_area_years
            with y as (select unnest(?::integer[]) as year),
            a as (select y.year, r.* from raw.areas r join y on r.valid_from <= y.year and (r.valid_to is null or y.year <= r.valid_to))
            select a.year, a.code, a.name, a.level, a.parent_code,
                   case a.level when 'village' then a.parent_code when 'township' then a.code end,
                   case a.level when 'village' then p.parent_code when 'township' then a.parent_code when 'county' then a.code end,
                   case when a.level in ('village', 'township', 'county', 'city') then left(a.code, 4) || '00000000' end,
                   left(a.code, 2) || '0000000000'
            from a left join a p on p.year = a.year and p.code = a.parent_code""",
            [list(years)],
        )
        return self

    def rates(self, year, **rates):
        """rates(2018, D04=500, ...): the amount code's rate; the count code is the one before it."""
        for amount, rate in rates.items():
            count = f"D{int(amount[1:]) - 1:02d}"
            self.con.execute("insert into raw.subsidy_rates values (?, ?, ?, ?)", [year, amount, count, rate])
        return self

    # -- submissions ----------------------------------------------------------------------
    def submission(self, form, period, reporter=T1, resolution="active", level="township", file=None, sheet="Sheet1",
                   date="2019-01-10", content="h"):
        sid = f"s{next(self._ids)}"
        file = file or f"inbox/{reporter}_{form}_{period}_{sid}.xlsx"
        self.con.execute(
            "insert into intermediate.int_submissions_resolved values (?, ?, ?, ?, ?, ?, ?, ?, null, null, ?, 0, ?, null)",
            [sid, file, sheet, form, period, reporter, level, date, content, resolution],
        )
        return Sheet(self, sid, file, sheet, form, period, reporter, resolution == "active")

    def sheet(self, form, period, reporter=T1, **kw):
        return self.submission(form, period, reporter, **kw)

    # -- running --------------------------------------------------------------------------
    def run(self, family=None, rule_id=None, rules=None, **kw):
        if rules is None:
            rules = [r for r in declared_rules() if (family is None or r.family == family) and (rule_id is None or r.id == rule_id)]
            assert rules, (family, rule_id)
        run_rules(self.con, rules=rules, **kw)
        return self.issues()

    def issues(self, where="true"):
        cur = self.con.execute(f"select * from marts.dq_issues where {where} order by rule_id, period, area_code, source_cell")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]


def col_letter(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


class Sheet:
    def __init__(self, wh, sid, file, sheet, form, period, reporter, active):
        self.wh, self.sid, self.file, self.sheet = wh, sid, file, sheet
        self.form, self.period, self.reporter, self.active = form, period, reporter, active
        self.next_row = 6

    def row(self, area_code, kind="village", name=None, reported=True, row_number=None, raw=None, **values):
        """A row with ``values`` (indicator code -> number; None = a non-number, see ``raw``)."""
        r = row_number or self.next_row
        self.next_row = max(self.next_row, r) + 1
        name = name or ("合计" if kind == "total" else f"村{area_code}")
        self.wh.con.execute(
            "insert into raw.rows values (?, ?, ?, ?, ?, ?, null, ?, ?)",
            [self.sid, self.file, self.sheet, r, kind, name, area_code, reported],
        )
        if not self.active or not reported:
            return self
        raw = raw or {}
        for code, value in values.items():
            ind = self.wh.catalog.indicators[code]
            cell = f"{col_letter(ind.position + 1)}{r}"
            text = raw.get(code, "" if value is None else f"{value:g}")
            self.wh.con.execute(
                "insert into intermediate.int_reported_cells values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [self.sid, self.file, self.sheet, cell, r, self.form, self.period, self.reporter, area_code, name, kind,
                 code, text, value, int(self.period[:4]), period_kind(self.period)],
            )
        return self

    def total(self, **values):
        return self.row(self.reporter, kind="total", **values)
