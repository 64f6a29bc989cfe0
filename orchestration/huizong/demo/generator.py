"""The demo data generator: a fictional registry, an inbox of township submissions laid out
the many ways FORMS.md §4 describes, deliberate mistakes of every family of §5, and the
answers (``truth/``) a correct warehouse reaches.

    generate(out_dir, scale="city", seed=7)          # or: python -m huizong.demo.generator OUT

writes::

    OUT/reference/areas.csv, subsidy_rates.csv
    OUT/inbox/...                       township submissions, the city's target workbooks, odd files
    OUT/truth/files.csv                 file_path, expected_status, note
    OUT/truth/injected.csv              kind, family, severity, period, area_code, indicator_codes, note, form_code
    OUT/truth/village_values.csv        period, area_code, indicator_code, value (as reported, canonical unit;
                                        non-ratio indicators of the periods submitted)
    OUT/truth/variations.csv            variation, description, files (where each layout variation occurs)

The same scale, seed, years and ``mistakes`` give the same bytes. Files are written by a
small process pool; everything random is decided from the seed in the parent.
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import os
import random
import shutil
import sys
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from huizong.catalog import default_catalog
from huizong.demo import values as V
from huizong.demo.areas import AreaRow, DemoRegistry, build_registry
from huizong.demo.layout import (
    EXCLUSIVE,
    SHEET_VARIATIONS,
    VARIATIONS,
    RowSpec,
    SheetSpec,
    compatible,
)
from huizong.demo.names import NamePool
from huizong.demo.writer import FileJob, SheetJob, lock_file_bytes, write_job


@dataclass(frozen=True)
class Injected:
    kind: str
    family: str
    severity: str
    period: str
    area_code: str
    indicator_codes: str
    note: str
    form_code: str


@dataclass(frozen=True)
class FileTruth:
    file_path: str
    expected_status: str  # loaded | rejected | ignored | superseded | conflict
    note: str = ""


@dataclass
class GeneratedTruth:
    out_dir: Path
    scale: str
    seed: int
    years: tuple[int, ...]
    mistakes: bool
    files: list[FileTruth]
    injected: list[Injected]
    n_village_values: int
    coverage: dict[str, list[str]]  # variation -> files showing it
    areas: dict[str, int]  # level -> areas valid in the last year
    n_sheets: int = 0
    n_cells: int = 0
    seconds: float = 0.0

    @property
    def missing_variations(self) -> list[str]:
        return [v for v in VARIATIONS if not self.coverage.get(v)]

    def status_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.expected_status] = out.get(f.expected_status, 0) + 1
        return out


# kind, family, severity, form, period kind, year index (None: any; -1: a later year)
MISTAKES = (
    ("yoy_change", "plausibility", "warning", "FP1", "YYYY", -1),
    ("cause_households", "balance", "error", "FP1", "YYYY", None),
    ("fund_sources", "balance", "error", "FP3", "YYYY", None),
    ("road_parts", "balance", "error", "FP2", "YYYYH1", None),
    ("ratio_A08", "ratio", "error", "FP1", "YYYY", None),
    ("ratio_B08", "ratio", "error", "FP2", "YYYY", None),
    ("ratio_C04", "ratio", "error", "FP3", "YYYYH1", None),
    ("subsidy_amount", "standard", "error", "FP4", "YYYYH1", None),
    ("negative_count", "bounds", "error", "FP1", "YYYYH1", None),
    ("non_integer_count", "bounds", "error", "FP1", "YYYY", None),
    ("part_exceeds_whole", "bounds", "error", "FP2", "YYYYH1", None),
    ("bad_flag", "bounds", "error", "FP1", "YYYYH1", None),
    ("housing_vs_households", "cross_form", "error", "FP2", "YYYY", None),
    ("total_row_off", "hierarchy", "error", "FP4", "YYYYH2", None),
    ("total_row_off_flag", "hierarchy", "error", "FP1", "YYYY", None),
    ("h1_exceeds_annual_A18", "cross_period", "error", "FP1", "YYYYH1", None),
    ("h1_exceeds_annual_C01", "cross_period", "error", "FP3", "YYYYH1", None),
    ("missing_village_row", "completeness", "error", "FP3", "YYYYH1", None),
    ("village_not_reported", "completeness", "error", "FP2", "YYYY", None),
    ("unknown_village", "completeness", "error", "FP1", "YYYYH1", None),
    ("conflicting_submissions", "completeness", "error", "FP3", "YYYY", -1),
    ("missing_submission", "completeness", "error", "FP4", "YYYYH2", None),
    ("unit_slip", "plausibility", "warning", "FP3", "YYYY", -1),
    ("over_completion", "plausibility", "warning", "FP2", "YYYY", None),
    ("investment_over_plan", "plausibility", "warning", "FP3", "YYYY", None),
    ("poor_household_size", "plausibility", "warning", "FP1", "YYYYH1", None),
)
FAMILY = {k: (f, s) for k, f, s, *_ in MISTAKES} | {"h1_progress": ("plausibility", "warning")}
TOWNSHIP_LEVEL = {"conflicting_submissions", "missing_submission", "total_row_off", "total_row_off_flag", "unknown_village"}
SHEET_LEVEL = {"conflicting_submissions", "missing_submission"}  # nothing else may sit in that sheet
NEEDS_TOTAL = {"total_row_off", "total_row_off_flag"}

CHANNELS = ("QQ文件", "微信接收", "邮件附件", "下载", "收件箱", "新建文件夹", "备份", "统计站", "扶贫办", "xx",
            "张会计", "李主任", "王丽", "刘姐", "小陈")
FORM_NO = {"FP1": "1", "FP2": "2", "FP3": "3", "FP4": "4"}
PERIOD_WORDS = {"YYYY": ("年", "年度", "年报", ""), "YYYYH1": ("上半年", "年1-6月", "半年"), "YYYYH2": ("下半年", "年7-12月")}


def _period_id(year: int, kind: str) -> str:
    return str(year) if kind == "YYYY" else f"{year}{kind[4:]}"


def _pkind(period: str) -> str:
    return "YYYY" if period.isdigit() else "YYYY" + period[4:]


def _report_date(rng: random.Random, period: str) -> dt.date:
    year = int(period[:4])
    if period.endswith("H1"):
        return dt.date(year, 7, rng.randint(2, 20))
    return dt.date(year + 1, 1, rng.randint(3, 22))


@dataclass
class _Plan:
    """Who gets which mistake, and which sheets are set aside for special files."""

    village: dict[tuple[str, str, str], list[tuple[str, str]]] = field(default_factory=dict)  # (town, form, period) -> [(kind, village)]
    sheet: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)  # (town, form, period) -> [kind]
    boosts: dict[tuple[str, str], float] = field(default_factory=dict)
    superseded: tuple[str, str, str] | None = None
    conflict: tuple[str, str, str] | None = None
    missing: tuple[str, str, str] | None = None
    no_period_copy: tuple[str, str, str] | None = None
    h1_progress: tuple[str, int] | None = None  # (county, year)


class _Writer:
    """Streams file jobs to a process pool, a bounded number at a time."""

    def __init__(self, out_dir: Path, workers: int):
        self.out_dir = str(out_dir)
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers) if workers > 1 else None
        self.pending: deque = deque()
        self.results: list[tuple[str, list[set[str]], int]] = []

    def submit(self, jobs: list[FileJob]) -> None:
        if not jobs:
            return
        if self.pool is None:
            self.results.extend(write_job(j, self.out_dir) for j in jobs)
            return
        self.pending.append(self.pool.submit(_write_batch, jobs, self.out_dir))
        while len(self.pending) > 4 * self.workers:
            self.results.extend(self.pending.popleft().result())

    def close(self) -> list[tuple[str, list[set[str]], int]]:
        while self.pending:
            self.results.extend(self.pending.popleft().result())
        if self.pool is not None:
            self.pool.shutdown()
        return self.results


def _write_batch(jobs: list[FileJob], out_dir: str):
    return [write_job(j, out_dir) for j in jobs]


class _Generator:
    def __init__(self, out_dir: Path, scale: str, seed: int, years: tuple[int, ...], mistakes: bool, workers: int):
        self.out = out_dir
        self.scale, self.seed, self.years, self.mistakes = scale, seed, tuple(sorted(years)), mistakes
        self.cat = default_catalog()
        self.reg: DemoRegistry = build_registry(scale, seed, self.years)
        self.values = V.VillageValues(self.reg, seed, self.years)
        self.rng = random.Random(f"huizong-demo:{scale}:{seed}:{self.years}:{mistakes}")
        self.files: list[FileTruth] = []
        self.injected: list[Injected] = []
        self.paths: set[str] = set()
        self.pending_vars = [v for v in SHEET_VARIATIONS if v not in ("fpt_targets",)]
        self.file_vars: dict[str, set[str]] = {}
        self.writer = _Writer(out_dir, workers)
        self.job_counter = 0
        self.towns = sorted((a for a in self.reg.rows if a.level == "township"), key=lambda a: a.code)
        self.truth_tmp: dict[str, list[tuple[str, str, str]]] = {}
        self.truth_files: dict[str, object] = {}
        self.n_values = 0
        self.n_sheets = 0
        # county -> year -> {"A18": [annual, h1], ...}
        self.actuals: dict[tuple[str, int], dict[str, list[float]]] = {}
        self.packaging_cycle = deque(["wb_all", "csv_each", "wb_each", "mixed", "wb_all", "csv_each"])
        self.encoding_cycle = deque(["utf-8", "utf-8-sig", "gbk"])
        self.corrupt_source: tuple[str, list[SheetJob], dt.date] | None = None

    # -- planning -------------------------------------------------------------------------
    def plan(self) -> _Plan:
        plan = _Plan()
        rng = random.Random(f"{self.seed}:plan:{self.scale}")
        towns = list(self.towns)
        rng.shuffle(towns)
        merged = {c for m in self.reg.mergers for c in (m.successor, *m.predecessors)}
        y0, y_last = self.years[0], self.years[-1]
        reserved: set[tuple[str, str, str]] = set()
        # Special copies and resubmissions: distinct townships where there are enough.
        t_iter = iter(towns * 3)
        t = next(t_iter)
        plan.superseded = (t.code, "FP1", str(y0))
        reserved.add(plan.superseded)
        t = next(t_iter)
        plan.no_period_copy = (t.code, "FP2", str(y_last))
        if self.mistakes:
            t = next(t_iter)
            plan.conflict = (t.code, "FP3", str(y_last))
            reserved.add(plan.conflict)
            t = next(t_iter)
            plan.missing = (t.code, "FP4", f"{y0}H2")
            reserved.add(plan.missing)
            counties = [a for a in self.reg.rows if a.level == "county"]
            plan.h1_progress = (rng.choice(counties).code, y_last)
        if not self.mistakes:
            return plan
        used_village_years: set[tuple[str, int]] = set()
        ti = 0
        for kind, family, severity, form, pkind, year_idx in MISTAKES:
            if kind in SHEET_LEVEL:
                continue
            for attempt in range(len(towns) * 4):
                town = towns[(ti + attempt) % len(towns)]
                year = y_last if year_idx == -1 else self.years[(ti + attempt) % len(self.years)]
                if kind == "yoy_change" and len(self.years) < 2:
                    break
                period = _period_id(year, pkind)
                key = (town.code, form, period)
                if key in reserved:
                    continue
                if kind in NEEDS_TOTAL and any(k in NEEDS_TOTAL for k in plan.sheet.get(key, [])):
                    continue
                if kind in TOWNSHIP_LEVEL:
                    plan.sheet.setdefault(key, []).append(kind)
                    break
                cands = [
                    v for v in self.reg.children(town.code, year, "village")
                    if v.code not in merged and (v.code, year) not in used_village_years
                    and all(v.code != vv for _, vv in plan.village.get(key, []))
                ]
                if kind == "yoy_change":
                    cands = [v for v in cands if self.reg.area(v.code, y0).valid_in(y0) and (v.code, year - 1) not in used_village_years]
                if not cands:
                    continue
                v = rng.choice(cands)
                used_village_years.add((v.code, year))
                if kind == "yoy_change":
                    used_village_years.add((v.code, year - 1))
                    plan.boosts[(v.code, str(year))] = 1.4
                plan.village.setdefault(key, []).append((kind, v.code))
                break
            ti += 1
        return plan

    # -- the registry's own names ---------------------------------------------------------
    def county_of(self, town: AreaRow) -> AreaRow:
        return self.reg.area(town.parent_code)

    def city_of(self, town: AreaRow) -> AreaRow:
        return self.reg.area(self.county_of(town).parent_code)

    # -- truth ------------------------------------------------------------------------------
    def add_truth(self, period: str, rows: dict[str, dict]) -> None:
        """Village values of one loaded, active sheet (ratios left out)."""
        fh = self.truth_files.get(period)
        if fh is None:
            path = self.out / "truth" / f".village_values_{period}.tmp"
            fh = open(path, "w", encoding="utf-8", newline="")
            self.truth_files[period] = fh
        buf = self.truth_tmp.setdefault(period, [])
        for code, vals in rows.items():
            for ind_code, v in vals.items():
                if ind_code in V.RATIO_CODES or not isinstance(v, (int, float)) or isinstance(v, bool):
                    continue
                buf.append((code, ind_code, _num(v)))

    def flush_truth(self) -> None:
        """Write buffered truth rows (one township at a time: codes stay in order)."""
        for period, buf in self.truth_tmp.items():
            buf.sort()
            fh = self.truth_files[period]
            fh.writelines(f"{period},{c},{i},{v}\n" for c, i, v in buf)
            self.n_values += len(buf)
        self.truth_tmp = {}

    # -- paths --------------------------------------------------------------------------------
    def new_path(self, rng: random.Random, name: str, date: dt.date | None) -> str:
        top = rng.choice(CHANNELS)
        if self.scale == "province" and rng.random() < 0.6:
            top = rng.choice(self._county_folders())
        sub = ""
        r = rng.random()
        if date is not None and r < 0.55:
            d = date + dt.timedelta(days=rng.randint(0, 4))
            sub = rng.choice((d.isoformat(), d.strftime("%Y%m%d"), f"{d.month}月{d.day}日收"))
        elif r < 0.62:
            sub = "新建文件夹/新建文件夹 (2)"
        folder = f"inbox/{top}/{sub}".rstrip("/")
        path = f"{folder}/{name}"
        stem, _, ext = name.rpartition(".")
        k = 2
        while path in self.paths:
            path = f"{folder}/{stem} ({k}).{ext}"
            k += 1
        self.paths.add(path)
        return path

    def _county_folders(self) -> list[str]:
        if not hasattr(self, "_cf"):
            self._cf = [a.name + s for a in self.reg.rows if a.level == "county" for s in ("", "扶贫办")]
        return self._cf

    def file_name(self, rng: random.Random, town: AreaRow, forms: list[str], period: str, ext: str) -> str:
        name = town.name
        if rng.random() < 0.05 or self.job_counter == 4:
            others = [t for t in self.towns if t.name != town.name] or self.towns
            name = rng.choice(others).name  # a name that says nothing true
            self._misleading = True
        year = period[:4]
        pw = rng.choice(PERIOD_WORDS[_pkind(period)])
        self.job_counter += 1
        k = self.job_counter % 97 + 1
        county = self.county_of(town).name
        if len(forms) == 1:
            n = FORM_NO[forms[0]]
            if rng.random() < 0.04:
                n = rng.choice([x for x in "1234" if x != n])
                self._misleading = True
            title = self.cat.forms[forms[0]].title
            options = [f"{name}扶贫{n}表.{ext}", f"扶贫{n}表-{name}{year}{pw}.{ext}", f"{name}_扶贫{n}表_{year}.{ext}", f"{title}.{ext}"]
            if ext == "csv":
                options += [f"export_{k}.csv", "数据导出.csv"]
            else:
                options += [f"新建 Microsoft Excel 工作表 ({k}).xlsx", f"Book{k}.xlsx", f"附件{k % 9 + 1}.xlsx", "扶贫报表(定稿).xlsx"]
        else:
            options = [f"{county}{name}扶贫统计报表{year}.{ext}", f"{name}{year}{pw}报表.{ext}", f"{name}.{ext}",
                       f"新建 Microsoft Excel 工作表 ({k}).xlsx", f"Book{k}.xlsx", f"附件{k % 9 + 1}.xlsx", "扶贫报表(定稿).xlsx"]
        return rng.choice(options)

    # -- forced variations -----------------------------------------------------------------
    def take_forced(self, form: str, container: str, has_alias: bool, ambiguous: bool, forbid: frozenset, k: int = 7) -> frozenset:
        chosen: list[str] = []
        for var in list(self.pending_vars):
            if len(chosen) >= k:
                break
            if not compatible(var, form, container, has_alias=has_alias, ambiguous=ambiguous, forbid=forbid):
                continue
            if any(var in g and any(c in g for c in chosen) for g in EXCLUSIVE):
                continue
            if var.startswith("blank_") and form != "FP4":
                continue
            if var == "village_alias" and not has_alias:
                continue
            chosen.append(var)
            self.pending_vars.remove(var)
        return frozenset(chosen)

    # -- one township and year --------------------------------------------------------------
    def township_year(self, town: AreaRow, year: int, plan: _Plan) -> list[FileJob]:
        rng = random.Random(f"{self.seed}:town:{town.code}:{year}:{self.mistakes}")
        for (vcode, period), f in plan.boosts.items():
            if vcode.startswith(town.code[:9]) and period.startswith(str(year)):
                self.values.boost[(vcode, period)] = f
        data = self.values.township(town.code, year)
        clean = copy.deepcopy(data) if self.mistakes else data
        county, city = self.county_of(town), self.city_of(town)
        villages = self.reg.children(town.code, year, "village")
        has_alias = any(v.aliases for v in villages)
        ambiguous = town.name == self.reg.duplicate_township_name
        specs: dict[tuple[str, str], tuple[SheetSpec, dict[str, dict]]] = {}
        for form, kinds in V.FORM_PERIODS.items():
            for kind in kinds:
                period = _period_id(year, kind)
                key = (town.code, form, period)
                if plan.missing == key:
                    self.inject("missing_submission", period, town.code, "", f"{self.cat.forms[form].table_no} not submitted", form)
                    continue
                vals = data[(form, period)]
                rows = [RowSpec("village", v.code, v.name, v.aliases[0] if v.aliases else "", vals[v.code]) for v in villages]
                forbid: set[str] = set()
                total_plain: set[str] = set()
                offsets: dict[str, float] = {}
                for mkind, vcode in plan.village.get(key, []):
                    self.apply_village_mistake(mkind, form, period, vcode, data, rows, forbid, rng)
                for mkind in plan.sheet.get(key, []):
                    if mkind == "unknown_village":
                        fake = self.fake_row(rng, town, form, period)
                        rows.insert(rng.randint(1, len(rows)), fake)
                        self.inject("unknown_village", period, town.code, "", f"village {fake.name!r} is not in the registry", form)
                    elif mkind == "total_row_off":
                        offsets["D15"] = 1
                    elif mkind == "total_row_off_flag":
                        offsets["A21"] = 1
                self.settle_land(form, rows, plan.village.get(key, []))
                reported = [r.values for r in rows if r.values is not None]
                total = V.total_row(form, reported, self.cat.indicators_of(form))
                for code, off in offsets.items():
                    before = total[code]
                    total[code] = before + off
                    total_plain.add(code)
                    forbid.add("total_none")
                    self.inject("total_row_off" if code == "D15" else "total_row_off_flag", period, town.code, code,
                                f"合计 {code} = {total[code]}, villages sum to {before}", form)
                if key == plan.conflict:
                    forbid.add("total_none")
                spec = SheetSpec(
                    form=form, period=period, town_code=town.code, town_name=town.name, county_name=county.name,
                    issuer=city.name + "统计局", rows=rows, total=total, report_date=None,
                    seed=f"{self.seed}:sheet:{town.code}:{form}:{period}:{self.mistakes}", container="xlsx",
                    forbid=frozenset(forbid), ambiguous_name=ambiguous, total_plain=frozenset(total_plain),
                )
                specs[(form, period)] = (spec, {r.code: r.values for r in rows if r.kind == "village" and r.values is not None})
        self.collect_actuals(county.code, year, clean, data, specs)
        jobs = self.package(town, year, specs, plan, rng, has_alias, ambiguous)
        return jobs

    def collect_actuals(self, county: str, year: int, clean: dict, data: dict, specs: dict) -> None:
        acc = self.actuals.setdefault((county, year), {})
        for code, form in (("A18", "FP1"), ("B07", "FP2"), ("C03", "FP3")):
            annual_clean = sum(v[code] for v in clean.get((form, str(year)), {}).values())
            h1_rep = 0.0
            entry = specs.get((form, f"{year}H1"))
            if entry:
                h1_rep = sum(v[code] for v in entry[1].values() if isinstance(v.get(code), (int, float)))
            a = acc.setdefault(code, [0.0, 0.0])
            a[0] += annual_clean
            a[1] += h1_rep

    def settle_land(self, form: str, rows: list[RowSpec], mistakes: list) -> None:
        """Keep the 合计 row's 人均耕地 clear of the rounding edge (a 1.5 亩 step at a time)."""
        if form != "FP1":
            return
        hit = {v for _, v in mistakes}
        for _ in range(40):
            rep = [r.values for r in rows if r.values is not None]
            a04 = sum(v["A04"] for v in rep if isinstance(v.get("A04"), (int, float)))
            a03 = sum(v["A03"] for v in rep if isinstance(v.get("A03"), (int, float)))
            if not a03 or V._ratio_safe(a04, a03, 1, 0.004):
                return
            target = max((r for r in rows if r.values is not None and r.kind == "village" and r.code not in hit),
                         key=lambda r: r.values["A03"], default=None)
            if target is None:
                return
            vals = target.values
            for _ in range(20):
                vals["A04"] = round(vals["A04"] + 1.5, 1)
                if V._ratio_safe(vals["A04"], vals["A03"], 1, 0.004):
                    break
            V.finish_fp1(vals)

    def fake_row(self, rng: random.Random, town: AreaRow, form: str, period: str) -> RowSpec:
        taken = {v.name[:-1] for v in self.reg.children(town.code, int(period[:4]), "village")}
        taken |= {a for v in self.reg.children(town.code, int(period[:4]), "village") for a in v.aliases}
        name = NamePool(rng).unique_base(taken) + "村"
        st = V.combined_state([V.new_profile(rng, False)], V.period_index(period, self.years[0]))
        year = int(period[:4])
        rates = {c: self.values.rates[(year, c)] for c in V.RATE_DEFAULT}
        if form == "FP1":
            annual = V.fp1(st, rng, None, 0.6)
            vals = annual if period.isdigit() else V.fp1(st, rng, annual, 0.6)
        elif form == "FP2":
            annual = V.fp2(st, 300, rng, None, 0.6)
            vals = annual if period.isdigit() else V.fp2(st, 300, rng, annual, 0.6)
        elif form == "FP3":
            annual = V.fp3(st, rng, None, 0.6)
            vals = annual if period.isdigit() else V.fp3(st, rng, annual, 0.6)
        else:
            vals = V.fp4(st, rng, rates)
        return RowSpec("unknown", "", name, "", vals)

    def inject(self, kind: str, period: str, area: str, indicators: str, note: str, form: str) -> None:
        family, severity = FAMILY[kind]
        self.injected.append(Injected(kind, family, severity, period, area, indicators, note, form))

    def apply_village_mistake(self, kind, form, period, vcode, data, rows, forbid, rng) -> None:
        row = next(r for r in rows if r.code == vcode)
        v = row.values = copy.deepcopy(row.values)
        year = int(period[:4])
        if kind == "cause_households":
            v["A13"] += 1
            self.inject(kind, period, vcode, "A06|A13", f"A13 +1; A06 kept at {v['A06']}", form)
        elif kind == "fund_sources":
            old = v["C05"]
            v["C05"] = round(old + 4.58, 2)
            self.inject(kind, period, vcode, "C02|C05", f"C05 {old} -> {v['C05']}; C02 kept at {v['C02']}", form)
        elif kind == "road_parts":
            old = v["B01"]
            v["B01"] = round(old + 0.5, 1)
            self.inject(kind, period, vcode, "B01|B02|B03", f"B01 = {v['B01']}, B02+B03 = {old}", form)
        elif kind == "ratio_A08":
            recomputed = 100 * v["A07"] / v["A03"]
            v["A08"] = V.round2(v["A08"] + 3.17)
            self.inject(kind, period, vcode, "A08", f"reported {v['A08']}, recomputed {recomputed:.4f}", form)
        elif kind == "ratio_B08":
            recomputed = 100 * v["B07"] / v["B06"]
            v["B08"] = V.round2(v["B08"] - 12.5 if v["B08"] >= 12.5 else v["B08"] + 12.5)
            self.inject(kind, period, vcode, "B08", f"reported {v['B08']}, recomputed {recomputed:.4f}", form)
        elif kind == "ratio_C04":
            recomputed = 100 * v["C03"] / v["C02"]
            v["C04"] = V.round2(v["C04"] - 7.5 if v["C04"] > 50 else v["C04"] + 7.5)
            self.inject(kind, period, vcode, "C04", f"reported {v['C04']}, recomputed {recomputed:.4f}", form)
        elif kind == "subsidy_amount":
            rate = self.values.rates[(year, "D17")]
            if v["D16"] == 0:
                v["D16"] = 3
            v["D17"] = v["D16"] * (rate + 100)
            self.inject(kind, period, vcode, "D16|D17", f"D17 = {v['D16']} x {rate + 100} instead of x {rate}", form)
        elif kind == "negative_count":
            v["A20"] = -19
            self.inject(kind, period, vcode, "A20", "A20 = -19", form)
        elif kind == "non_integer_count":
            v["A01"] = v["A01"] + 0.5
            self.inject(kind, period, vcode, "A01", f"A01 = {v['A01']}", form)
        elif kind == "part_exceeds_whole":
            a02 = data[("FP1", period)][vcode]["A02"]
            v["B09"] = a02 + 12
            self.inject(kind, period, vcode, "A02|B09", f"B09 = {v['B09']} > A02 = {a02}", form)
        elif kind == "bad_flag":
            v["A21"] = "待定"
            self.inject(kind, period, vcode, "A21", "A21 = 待定 (not 是/否)", form)
        elif kind == "housing_vs_households":
            v["B05"] += 6
            a02 = data[("FP1", period)][vcode]["A02"]
            self.inject(kind, period, vcode, "A02|B04|B05", f"B04+B05 = {v['B04'] + v['B05']}, A02 = {a02}", form)
        elif kind == "h1_exceeds_annual_A18":
            annual = data[("FP1", str(year))][vcode]["A18"]
            v["A18"] = annual + 2
            self.inject(kind, period, vcode, "A18", f"H1 A18 = {v['A18']} > annual {annual}", form)
        elif kind == "h1_exceeds_annual_C01":
            annual = data[("FP3", str(year))][vcode]["C01"]
            v["C01"] = annual + 1
            self.inject(kind, period, vcode, "C01", f"H1 C01 = {v['C01']} > annual {annual}", form)
        elif kind == "missing_village_row":
            rows.remove(row)
            self.inject(kind, period, vcode, "", f"{self.cat.forms[form].table_no}: row absent", form)
        elif kind == "village_not_reported":
            row.values = None
            self.inject(kind, period, vcode, "", f"{self.cat.forms[form].table_no}: the row is there, every figure blank", form)
        elif kind == "unit_slip":
            for c in ("C02", "C03", "C05", "C06", "C07", "C08"):
                v[c] = int(round(v[c] * 10000))
            forbid.update({"yuan_sheet", "yuan_header"})
            self.inject(kind, period, vcode, "C02|C03|C05|C06|C07|C08", "amounts written in 元 in a sheet declared 万元", form)
        elif kind == "over_completion":
            v["B07"] = v["B06"] + 2
            V.finish_fp2(v)
            self.inject(kind, period, vcode, "B06|B07", f"B07 = {v['B07']} > B06 = {v['B06']}", form)
        elif kind == "investment_over_plan":
            v["C03"] = round(v["C02"] * 1.12, 2)
            V.finish_fp3(v)
            self.inject(kind, period, vcode, "C02|C03", f"C03 = {v['C03']} > C02 = {v['C02']}", form)
        elif kind == "poor_household_size":
            if v["A06"] < 3:
                v["A06"] = v["A09"] = 3
                v["A11"] = v["A13"] = v["A15"] = 0
            v["A07"] = v["A06"]
            for h, p in (("A09", "A10"), ("A11", "A12"), ("A13", "A14"), ("A15", "A16")):
                v[p] = v[h]
            V.finish_fp1(v)
            self.inject(kind, period, vcode, "A06|A07", f"A07/A06 = {v['A07']}/{v['A06']} = 1.0 persons per poor household", form)
        elif kind == "yoy_change":
            prev = self.values.township(vcode[:9] + "000", year - 1)[("FP1", str(year - 1))][vcode]
            self.inject(kind, period, vcode, "A02|A03", f"A02 {prev['A02']} -> {v['A02']}, A03 {prev['A03']} -> {v['A03']}", form)
        else:  # pragma: no cover
            raise ValueError(kind)

    # -- packaging ---------------------------------------------------------------------------
    def package(self, town: AreaRow, year: int, specs: dict, plan: _Plan, rng: random.Random, has_alias: bool, ambiguous: bool) -> list[FileJob]:
        jobs: list[FileJob] = []
        by_period: dict[str, list[tuple[str, str]]] = {}
        for form, period in specs:
            by_period.setdefault(period, []).append((form, period))
        for period in sorted(by_period):
            keys = sorted(by_period[period])
            date = _report_date(rng, period)
            special = []
            for key in list(keys):
                full = (town.code, *key)
                if full in (plan.superseded, plan.conflict):
                    keys.remove(key)
                    special.append(key)
            if keys:
                jobs.extend(self.package_period(town, period, keys, specs, date, rng, has_alias, ambiguous, plan))
            for key in special:
                jobs.extend(self.special_pair(town, key, specs, date, rng, has_alias, ambiguous, plan))
        return jobs

    def _spec_for(self, specs, key, container, date, has_alias, ambiguous, extra_force=frozenset()) -> SheetSpec:
        spec, vals = specs[key]
        force = self.take_forced(spec.form, container, has_alias, ambiguous, spec.forbid) | extra_force
        s = copy.copy(spec)
        s.container, s.report_date, s.force = container, date, force
        self.n_sheets += 1
        return s

    def package_period(self, town, period, keys, specs, date, rng, has_alias, ambiguous, plan) -> list[FileJob]:
        jobs: list[FileJob] = []
        if len(keys) == 1:
            mode = rng.choice(("wb_each", "csv_each"))
        elif self.packaging_cycle:
            mode = self.packaging_cycle.popleft()
        else:
            mode = rng.choices(("wb_all", "wb_each", "csv_each", "mixed"), (0.35, 0.25, 0.25, 0.15))[0]
        if mode == "mixed":
            k = rng.randint(1, len(keys) - 1)
            groups = [("xlsx", keys[:k]), *(("csv", [x]) for x in keys[k:])]
        elif mode == "wb_all":
            groups = [("xlsx", keys)]
        elif mode == "wb_each":
            groups = [("xlsx", [x]) for x in keys]
        else:
            groups = [("csv", [x]) for x in keys]
        for container, group in groups:
            self._misleading = False
            if container == "csv":
                key = group[0]
                enc = self.encoding_cycle.popleft() if self.encoding_cycle else rng.choices(("utf-8", "utf-8-sig", "gbk"), (0.35, 0.4, 0.25))[0]
                spec = self._spec_for(specs, key, "csv", date, has_alias, ambiguous)
                path = self.new_path(rng, self.file_name(rng, town, [key[0]], period, "csv"), date)
                jobs.append(FileJob(path, "csv", [SheetJob(path.rsplit("/", 1)[-1][:-4], spec)], encoding=enc))
                self.record(path, "loaded", "", {"misleading_name"} if self._misleading else set())
                self.add_truth(period, specs[key][1])
                continue
            sheets = []
            file_vars = {"xlsx_multi_form" if len(group) > 1 else "xlsx_single_form"}
            names_used: set[str] = set()
            omit_date_at = None
            if len(group) > 1 and (rng.random() < 0.3 or not self.file_vars_seen("sheet_without_date")):
                omit_date_at = rng.randrange(len(group))
            for i, key in enumerate(group):
                spec = self._spec_for(specs, key, "xlsx", date, has_alias, ambiguous)
                if omit_date_at == i:
                    spec.report_date = None
                    file_vars.add("sheet_without_date")
                sheets.append(SheetJob(self.sheet_name(rng, town, key[0], names_used), spec))
                self.add_truth(period, specs[key][1])
            if rng.random() < 0.25 or (len(group) > 1 and not self.file_vars_seen("nonform_sheets")):
                file_vars.add("nonform_sheets")
                if rng.random() < 0.5:
                    sheets.insert(0, SheetJob("填表说明", raw=INSTRUCTIONS))
                else:
                    sheets.insert(0, SheetJob("填表说明", raw=INSTRUCTIONS))
                    sheets.append(SheetJob(self.sheet_name(rng, town, "", names_used), raw=[]))
            path = self.new_path(rng, self.file_name(rng, town, [k[0] for k in group], period, "xlsx"), date)
            if self._misleading:
                file_vars.add("misleading_name")
            jobs.append(FileJob(path, "xlsx", sheets))
            self.record(path, "loaded", "", file_vars)
            if self.corrupt_source is None and len(group) > 1:
                self.corrupt_source = (path, copy.deepcopy(sheets), date)
        for key in keys:
            if plan.no_period_copy == (town.code, *key):
                spec = copy.copy(self._spec_for(specs, key, "xlsx", date, has_alias, ambiguous))
                spec.no_period = True
                spec.force = frozenset()
                spec.seed += ":noperiod"
                path = self.new_path(rng, self.file_name(rng, town, [key[0]], period, "xlsx"), date)
                jobs.append(FileJob(path, "xlsx", [SheetJob("Sheet1", spec)]))
                self.record(path, "rejected", "no period in the header (a copy of another submission)", {"no_period"})
        return jobs

    def file_vars_seen(self, var: str) -> bool:
        return any(var in s for s in self.file_vars.values())

    def sheet_name(self, rng, town, form, used: set[str]) -> str:
        n = FORM_NO.get(form, "")
        options = [f"Sheet{len(used) + 1}", f"表{n}" if n else "Sheet", f"{n}表" if n else "Sheet2", f"扶贫{n}表" if n else "Sheet3",
                   f"{town.name}{n}"]
        if form:
            options.append(self.cat.forms[form].title[:4])
        for _ in range(20):
            name = rng.choice(options)
            if name not in used:
                used.add(name)
                return name
        name = f"Sheet{len(used) + 10}"
        used.add(name)
        return name

    def special_pair(self, town, key, specs, date, rng, has_alias, ambiguous, plan) -> list[FileJob]:
        form, period = key
        jobs = []
        spec_ok = self._spec_for(specs, key, "xlsx", date, has_alias, ambiguous)
        spec_other = copy.deepcopy(spec_ok)
        spec_other.force = frozenset()
        spec_other.seed += ":other"
        spec_other.container = rng.choice(("xlsx", "csv"))
        # the other copy differs in one village's figure
        vrows = [r for r in spec_other.rows if r.kind == "village" and r.values is not None]
        victim = vrows[len(vrows) // 2]
        if form == "FP1":
            victim.values["A09"] += 2  # an error the correction removes
        else:
            victim.values["C03"] = round(victim.values["C03"] * 0.9, 2)
            V.finish_fp3(victim.values)
        spec_other.total = V.total_row(form, [r.values for r in spec_other.rows if r.values is not None], self.cat.indicators_of(form))
        tn = self.cat.forms[form].table_no
        if (town.code, *key) == plan.superseded:
            spec_other.report_date = date - dt.timedelta(days=rng.randint(6, 14))
            early = self.new_path(rng, self.file_name(rng, town, [form], period, "xlsx" if spec_other.container == "xlsx" else "csv"), spec_other.report_date)
            late = self.new_path(rng, f"更正-{town.name}扶贫{FORM_NO[form]}表.xlsx", date)
            jobs.append(self._single(early, spec_other))
            jobs.append(FileJob(late, "xlsx", [SheetJob("Sheet1", spec_ok)]))
            self.record(early, "superseded", "replaced by a later 报出日期", {"superseded"})
            self.record(late, "loaded", "corrected resubmission (later 报出日期)", {"superseded", "xlsx_single_form"})
            self.add_truth(period, specs[key][1])
        else:
            spec_other.report_date = date
            a = self.new_path(rng, self.file_name(rng, town, [form], period, "xlsx"), date)
            b = self.new_path(rng, f"扶贫{FORM_NO[form]}表-{town.name}{period[:4]}年报.{'xlsx' if spec_other.container == 'xlsx' else 'csv'}", date)
            jobs.append(FileJob(a, "xlsx", [SheetJob("Sheet1", spec_ok)]))
            jobs.append(self._single(b, spec_other))
            note = "same 报出日期 as another submission with other numbers"
            self.record(a, "conflict", note, {"conflict"})
            self.record(b, "conflict", note, {"conflict"})
            self.inject("conflicting_submissions", period, town.code, "", f"two {tn} with the same 报出日期 and different numbers", form)
        return jobs

    def _single(self, path: str, spec: SheetSpec) -> FileJob:
        if spec.container == "csv":
            return FileJob(path, "csv", [SheetJob("data", spec)], encoding="utf-8-sig")
        return FileJob(path, "xlsx", [SheetJob("Sheet1", spec)])

    def record(self, path: str, status: str, note: str, variations: set[str]) -> None:
        self.files.append(FileTruth(path, status, note))
        self.file_vars[path] = set(variations)

    # -- the city's targets -------------------------------------------------------------------
    def targets(self, plan: _Plan) -> list[FileJob]:
        jobs = []
        for city in sorted((a for a in self.reg.rows if a.level == "city"), key=lambda a: a.code):
            for year in self.years:
                rng = random.Random(f"{self.seed}:fpt:{city.code}:{year}")
                counties = self.reg.children(city.code, year, "county")
                rows, sums = [], {"T01": 0, "T02": 0, "T03": 0.0}
                for county in counties:
                    acc = self.actuals.get((county.code, year), {})
                    vals = {}
                    for t, code in (("T01", "A18"), ("T02", "B07"), ("T03", "C03")):
                        annual, h1 = acc.get(code, [0.0, 0.0])
                        target = annual * rng.uniform(0.9, 1.05)
                        target = min(target, h1 / 0.55) if h1 else target
                        vals[t] = round(target, 2) if t == "T03" else int(round(target))
                    if plan.h1_progress == (county.code, year):
                        h1 = acc.get("C03", [0, 0])[1]
                        vals["T03"] = round(vals["T03"] * 2.2, 2)
                        self.inject("h1_progress", f"{year}H1", county.code, "T03|C03",
                                    f"H1 progress of T03 {h1 / vals['T03']:.1%} (below 50%)", "FPT")
                    rows.append(RowSpec("county", county.code, county.name, "", vals))
                    for t in sums:
                        sums[t] += vals[t]
                sums["T03"] = round(sums["T03"], 2)
                if plan.h1_progress and plan.h1_progress[1] == year:
                    h1_city = sum(self.actuals.get((c.code, year), {}).get("C03", [0, 0])[1] for c in counties)
                    if any(c.code == plan.h1_progress[0] for c in counties) and sums["T03"] and h1_city / sums["T03"] < 0.5:
                        self.inject("h1_progress", f"{year}H1", city.code, "T03|C03",
                                    f"H1 progress of T03 {h1_city / sums['T03']:.1%} (below 50%; one county's target is off)", "FPT")
                spec = SheetSpec(
                    form="FPT", period=str(year), town_code=city.code, town_name=city.name, county_name="",
                    issuer=city.name + "统计局", rows=rows, total=sums, report_date=dt.date(year, 3, rng.randint(10, 25)),
                    seed=f"{self.seed}:fpt:{city.code}:{year}", container="xlsx",
                )
                name = rng.choice((f"{year}目标任务分解表.xlsx", f"关于下达{year}年度目标任务的通知附件.xlsx"))
                folder = "inbox/市扶贫办" if len(self.reg.of_level("city")) == 1 else f"inbox/市扶贫办/{city.name}"
                path = f"{folder}/{name}"
                self.paths.add(path)
                jobs.append(FileJob(path, "xlsx", [SheetJob("Sheet1", spec)]))
                self.record(path, "loaded", "annual targets (扶贫T表)", {"fpt_targets"})
                self.n_sheets += 1
        return jobs

    # -- odd files ------------------------------------------------------------------------------
    def odd_files(self) -> list[FileJob]:
        rng = random.Random(f"{self.seed}:odd:{self.scale}")
        jobs = []
        readme = "各乡镇:\n请于每半年结束后10日内将扶贫1-4表报送至本文件夹。\n文件名请注明乡镇名称。\n县扶贫办 统计股\n"
        jobs.append(FileJob("inbox/README.txt", "text", data=readme.encode("utf-8")))
        self.record("inbox/README.txt", "ignored", "not a spreadsheet", {"readme"})
        p = self.new_path(rng, "通知.docx", None)
        jobs.append(FileJob(p, "bytes", data=b"PK\x03\x04" + bytes(60)))
        self.record(p, "ignored", "not a spreadsheet", {"readme"})
        # a broken copy of a workbook sent elsewhere
        if self.corrupt_source is not None:
            src, sheets, date = self.corrupt_source
            bad = self.new_path(rng, src.rsplit("/", 1)[-1], date)
            jobs.append(FileJob(bad, "truncated_xlsx", sheets))
            self.record(bad, "rejected", "corrupt: truncated xlsx (a broken copy of another file)", {"corrupt_xlsx"})
        # a lock file beside a workbook
        xlsx = sorted(f.file_path for f in self.files if f.file_path.endswith(".xlsx") and f.expected_status == "loaded")
        target = xlsx[len(xlsx) // 3]
        lock = target.rsplit("/", 1)[0] + "/~$" + target.rsplit("/", 1)[1]
        jobs.append(FileJob(lock, "bytes", data=lock_file_bytes()))
        self.paths.add(lock)
        self.record(lock, "ignored", "Excel lock file", {"lock_file"})
        # an encrypted-looking workbook
        town = self.towns[-1]
        p = self.new_path(rng, f"{town.name}扶贫报表(加密).xlsx", None)
        jobs.append(FileJob(p, "ole"))
        self.record(p, "rejected", "encrypted (password-protected) workbook", {"encrypted_ole"})
        # no known form: a roster, and a workbook of instructions only
        p = self.new_path(rng, "驻村工作队花名册.xlsx", None)
        jobs.append(FileJob(p, "xlsx", [SheetJob("Sheet1", raw=ROSTER)]))
        self.record(p, "rejected", "no known 表号", {"no_known_form"})
        p = self.new_path(rng, "填表说明.xlsx", None)
        jobs.append(FileJob(p, "xlsx", [SheetJob("填表说明", raw=INSTRUCTIONS), SheetJob("Sheet2", raw=[])]))
        self.record(p, "rejected", "no known 表号 (instructions only)", {"no_known_form"})
        # a township that is not in the registry
        county = self.county_of(self.towns[0])
        taken = {t.name[:-1] for t in self.towns}
        fake_name = NamePool(rng).unique_base(taken, (1, 2)) + "乡"
        fake_code = county.code[:6] + "299000"
        year = self.years[-1]
        period = f"{year}H1"
        rows = []
        for i in range(5):
            r = self.fake_row(rng, self.towns[0], "FP1", period)
            rows.append(RowSpec("village", f"{fake_code[:9]}{201 + i:03d}", r.name, "", r.values))
        total = V.total_row("FP1", [r.values for r in rows], self.cat.indicators_of("FP1"))
        spec = SheetSpec(form="FP1", period=period, town_code=fake_code, town_name=fake_name, county_name=county.name,
                         issuer=self.city_of(self.towns[0]).name + "统计局", rows=rows, total=total,
                         report_date=dt.date(year, 7, 9), seed=f"{self.seed}:unknown", container="xlsx",
                         forbid=frozenset({"unit_name_only", "unit_from_total_code", "unit_code9", "unit_code12"}))
        p = self.new_path(rng, f"{fake_name}{year}上半年报表.xlsx", spec.report_date)
        jobs.append(FileJob(p, "xlsx", [SheetJob("扶贫1表", spec)]))
        self.record(p, "rejected", f"township {county.name}{fake_name} is not in the registry", {"unknown_township"})
        return jobs

    # -- the whole inbox -------------------------------------------------------------------------
    def run(self) -> GeneratedTruth:
        t0 = time.perf_counter()
        if self.out.exists():
            for sub in ("inbox", "reference", "truth"):
                shutil.rmtree(self.out / sub, ignore_errors=True)
        (self.out / "truth").mkdir(parents=True, exist_ok=True)
        self.reg.write_csv(self.out / "reference" / "areas.csv")
        with open(self.out / "reference" / "subsidy_rates.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["year", "amount_code", "count_code", "rate"])
            for (year, code), rate in sorted(self.values.rates.items()):
                w.writerow([year, code, V.COUNT_OF[code], rate])
        plan = self.plan()
        for town in self.towns:
            for year in self.years:
                if not town.valid_in(year):
                    continue
                self.writer.submit(self.township_year(town, year, plan))
            self.flush_truth()
        self.writer.submit(self.targets(plan))
        self.writer.submit(self.odd_files())
        results = self.writer.close()
        n_cells = 0
        for path, used, cells in results:
            n_cells += cells
            for u in used:
                self.file_vars.setdefault(path, set()).update(u)
        for fh in self.truth_files.values():
            fh.close()
        self.write_truth()
        coverage: dict[str, list[str]] = {}
        for path in sorted(self.file_vars):
            for var in self.file_vars[path]:
                coverage.setdefault(var, []).append(path)
        levels = {lvl: len(self.reg.of_level(lvl, self.years[-1])) for lvl in ("province", "city", "county", "township", "village")}
        return GeneratedTruth(self.out, self.scale, self.seed, self.years, self.mistakes, sorted(self.files, key=lambda f: f.file_path),
                              list(self.injected), self.n_values, coverage, levels, self.n_sheets, n_cells, time.perf_counter() - t0)

    def write_truth(self) -> None:
        truth = self.out / "truth"
        with open(truth / "files.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["file_path", "expected_status", "note"])
            for f in sorted(self.files, key=lambda f: f.file_path):
                w.writerow([f.file_path, f.expected_status, f.note])
        with open(truth / "injected.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["kind", "family", "severity", "period", "area_code", "indicator_codes", "note", "form_code"])
            for m in sorted(self.injected, key=lambda m: (m.family, m.kind, m.period, m.area_code)):
                w.writerow([m.kind, m.family, m.severity, m.period, m.area_code, m.indicator_codes, m.note, m.form_code])
        with open(truth / "village_values.csv", "w", encoding="utf-8", newline="") as out:
            out.write("period,area_code,indicator_code,value\n")
            for period in sorted(self.truth_files):
                tmp = truth / f".village_values_{period}.tmp"
                with open(tmp, encoding="utf-8") as fh:
                    shutil.copyfileobj(fh, out)
                tmp.unlink()
        with open(truth / "variations.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["variation", "description", "n_files", "example_files"])
            cov: dict[str, list[str]] = {}
            for path in sorted(self.file_vars):
                for var in self.file_vars[path]:
                    cov.setdefault(var, []).append(path)
            for var, desc in VARIATIONS.items():
                files = cov.get(var, [])
                w.writerow([var, desc, len(files), "|".join(files[:3])])


def _num(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.6f}".rstrip("0").rstrip(".")


INSTRUCTIONS = [
    ["填表说明"],
    ["1.本套报表由乡镇扶贫工作站填写,每半年报送县扶贫办。"],
    ["2.时点指标填报期末数,时期指标填报自年初起的累计数。"],
    ["3.金额以万元为单位的保留两位小数;村名称请使用统计用区划名称。"],
    ["4.是否贫困村一栏填是或否。"],
]
ROSTER = [
    ["驻村工作队人员花名册"],
    ["填报单位:县扶贫办"],
    ["序号", "姓名", "性别", "派出单位", "职务", "联系电话"],
    [1, "王建国", "男", "市统计局", "队长", "13668005441"],
    [2, "李红梅", "女", "市统计局", "队员", "13633267338"],
    [3, "张德胜", "男", "县农业局", "第一书记", "13644913716"],
    [4, "刘国华", "男", "县交通局", "队员", "13251572011"],
]


def generate(
    out_dir: Path,
    *,
    scale: str = "city",
    seed: int = 7,
    years=(2017, 2018),
    mistakes: bool = True,
    workers: int | None = None,
) -> GeneratedTruth:
    """Write a demo sources directory (reference/, inbox/) and its answers (truth/) into
    ``out_dir``. Deterministic for (scale, seed, years, mistakes)."""
    out_dir = Path(out_dir)
    if workers is None:
        workers = 1 if scale == "tiny" else min(2, os.cpu_count() or 1)
    gen = _Generator(out_dir, scale, seed, tuple(int(y) for y in years), mistakes, workers)
    return gen.run()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--scale", default="city", choices=("tiny", "city", "province"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--years", default="2017,2018")
    ap.add_argument("--no-mistakes", action="store_true")
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    truth = generate(args.out_dir, scale=args.scale, seed=args.seed, years=tuple(int(y) for y in args.years.split(",")),
                     mistakes=not args.no_mistakes, workers=args.workers)
    print(f"{truth.out_dir}: {truth.areas} | {len(truth.files)} files {truth.status_counts()} | {truth.n_sheets} sheets, "
          f"{truth.n_cells} cells | {len(truth.injected)} injected | {truth.n_village_values} village values | {truth.seconds:.1f}s")
    if truth.missing_variations:
        print("variations not covered:", ", ".join(truth.missing_variations), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
