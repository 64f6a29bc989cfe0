"""A small, independent statement of the FORMS.md §5 rules over the raw schema, used to
prove that a generated inbox holds exactly the mistakes it says it holds (and no others).

This is test support, not the warehouse's rule engine: it reads ``raw.*`` after
``huizong.ingest.pipeline.ingest`` and returns issues as plain tuples.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb

BALANCES = (
    ("A06", ("A09", "A11", "A13", "A15")),
    ("A07", ("A10", "A12", "A14", "A16")),
    ("B01", ("B02", "B03")),
    ("C02", ("C05", "C06", "C07", "C08")),
    ("D01", ("D03", "D05", "D07", "D09", "D11")),
    ("D02", ("D04", "D06", "D08", "D10", "D12")),
)
RATIOS = {"A05": ("A04", "A03", 1, 0.005), "A08": ("A07", "A03", 100, 0.05), "B08": ("B07", "B06", 100, 0.05), "C04": ("C03", "C02", 100, 0.05)}
COUNTS = {c for c in ("A01 A02 A03 A06 A07 A09 A10 A11 A12 A13 A14 A15 A16 A17 A18 A20 B04 B05 B06 B07 B09 C01 "
                      "D01 D03 D05 D07 D09 D11 D13 D14 D15 D16").split()}
STOCK_FLOW_PREFIX = ("A", "B", "C", "D")
FLOWS = {"A17", "A18", "B06", "B07", "C01", "C02", "C03", "C05", "C06", "C07", "C08"}
AMOUNTS = ("C02", "C03", "C05", "C06", "C07", "C08")
NOT_SUMMED = {"A05", "A08", "B08", "C04", "A19", "A21"}


@dataclass(frozen=True)
class Issue:
    family: str
    severity: str
    period: str
    area_code: str
    indicators: frozenset
    form_code: str
    row_kind: str = "village"
    township: str = ""


def _tol(code: str) -> float:
    return 0.5e-9 if code in COUNTS else 0.01 + 1e-9


def resolve(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """submission_id -> active | superseded | conflict (later 报出日期 wins; equal dates with
    other numbers conflict)."""
    subs = con.execute(
        "select submission_id, reporter_code, form_code, period, report_date, content_hash from raw.submissions"
    ).fetchall()
    groups = defaultdict(list)
    for sid, rep, form, period, date, h in subs:
        groups[(rep, form, period)].append((date, h, sid))
    out = {}
    for items in groups.values():
        latest = max(d for d, _, _ in items if d is not None) if any(d for d, _, _ in items) else None
        top = [x for x in items if x[0] == latest]
        hashes = {h for _, h, _ in top}
        for d, h, sid in items:
            if d != latest:
                out[sid] = "superseded"
            elif len(hashes) > 1:
                out[sid] = "conflict"
            else:
                out[sid] = "active" if sid == min(s for _, _, s in top) else "superseded"
    return out


def issues(con: duckdb.DuckDBPyConnection, sources: Path) -> list[Issue]:
    status = resolve(con)
    active = {s for s, st in status.items() if st == "active"}
    rates = {(y, a): (c, r) for y, a, c, r in con.execute("select year, amount_code, count_code, rate from raw.subsidy_rates").fetchall()}
    areas = con.execute("select code, name, level, parent_code, valid_from, valid_to, successor_code from raw.areas").fetchall()
    out: list[Issue] = []

    # cells per row of an active sheet
    rows: dict[tuple, dict] = defaultdict(dict)  # (sid, row_number) -> {code: value}
    meta: dict[tuple, tuple] = {}
    raw_text: dict[tuple, dict] = defaultdict(dict)
    for sid, rn, form, period, town, area, kind, code, text, value in con.execute(
        "select submission_id, row_number, form_code, period, township_code, area_code, row_kind, indicator_code, raw_text, value from raw.cells"
    ).fetchall():
        if sid not in active:
            continue
        rows[(sid, rn)][code] = value
        raw_text[(sid, rn)][code] = text
        meta[(sid, rn)] = (form, period, town, area, kind)

    def add(family, severity, period, area, inds, form, kind="village", town=""):
        out.append(Issue(family, severity, period, area or "", frozenset(inds), form, kind, town))

    village_vals: dict[tuple[str, str], dict] = defaultdict(dict)  # (period, village) -> values
    for key, vals in rows.items():
        form, period, town, area, kind = meta[key]
        if kind == "county":
            continue
        for whole, parts in BALANCES:
            if whole in vals and all(p in vals for p in parts) and vals[whole] is not None:
                s = sum(vals[p] or 0 for p in parts)
                if abs(vals[whole] - s) > _tol(whole):
                    add("balance", "error", period, area, (whole, *parts), form, kind, town)
        for code, (num, den, scale, tol) in RATIOS.items():
            if code in vals and vals[code] is not None and vals.get(den):
                if abs(vals[code] - scale * vals[num] / vals[den]) > tol + 1e-9:
                    add("ratio", "error", period, area, (code,), form, kind, town)
        year = int(period[:4])
        for (y, amt), (cnt, rate) in rates.items():
            if y == year and amt in vals and cnt in vals and vals[amt] is not None and vals[cnt] is not None:
                if abs(vals[amt] - vals[cnt] * rate) > 0.01:
                    add("standard", "error", period, area, (cnt, amt), form, kind, town)
        for a, b in (("A07", "A03"), ("A06", "A02")):
            if vals.get(a) is not None and vals.get(b) is not None and vals[a] > vals[b]:
                add("bounds", "error", period, area, (a, b), form, kind, town)
        for code, v in vals.items():
            if v is not None and v < 0:
                add("bounds", "error", period, area, (code,), form, kind, town)
            if code in COUNTS and v is not None and not float(v).is_integer():
                add("bounds", "error", period, area, (code,), form, kind, town)
        if "A21" in vals and kind == "village" and vals["A21"] is None and raw_text[key].get("A21", "").strip():
            add("bounds", "error", period, area, ("A21",), form, kind, town)
        for a, b, lo, hi in (("A03", "A02", 1.5, 8), ("A07", "A06", 1.5, 8)):
            if vals.get(a) is not None and vals.get(b):
                r = vals[a] / vals[b]
                if not lo <= r <= hi:
                    add("plausibility", "warning", period, area, (a, b), form, kind, town)
        for a, b in (("B07", "B06"), ("C03", "C02")):
            if vals.get(a) is not None and vals.get(b) is not None and vals[a] > vals[b] + 1e-9:
                add("plausibility", "warning", period, area, (a, b), form, kind, town)
        if kind == "village" and area:
            village_vals[(period, area)].update({k: v for k, v in vals.items() if v is not None})

    # cross-form and B09 <= A02 (same village and period)
    for (period, area), vals in village_vals.items():
        if "A02" in vals and "B04" in vals and "B05" in vals and vals["B04"] + vals["B05"] != vals["A02"]:
            add("cross_form", "error", period, area, ("A02", "B04", "B05"), "FP2")
        if "A02" in vals and "B09" in vals and vals["B09"] > vals["A02"]:
            add("bounds", "error", period, area, ("A02", "B09"), "FP2")
        if period.endswith("H1"):
            annual = village_vals.get((period[:4], area), {})
            for code in FLOWS:
                if code in vals and code in annual and vals[code] > annual[code] + _tol(code):
                    add("cross_period", "error", period, area, (code,), "FP" + {"A": "1", "B": "2", "C": "3"}[code[0]])

    # hierarchy: 合计 row vs the sheet's village rows
    by_sheet: dict[str, list[tuple]] = defaultdict(list)
    for key in rows:
        by_sheet[key[0]].append(key)
    for sid, keys in by_sheet.items():
        totals = [k for k in keys if meta[k][4] == "total"]
        vrows = [k for k in keys if meta[k][4] in ("village", "county")]
        for t in totals:
            form, period, town, area, _ = meta[t]
            for code, tv in rows[t].items():
                if tv is None or code in ("A05", "A08", "B08", "C04", "A19"):
                    continue
                s = sum((rows[k].get(code) or 0) for k in vrows)
                if abs(tv - s) > _tol(code):
                    add("hierarchy", "error", period, area, (code,), form, "total", town)

    # completeness
    valid = defaultdict(list)  # (township, year) -> villages
    for code, name, level, parent, vf, vt, succ in areas:
        if level == "village":
            for y in range(int(vf), (int(vt) if vt else 2100) + 1):
                if 2000 < y < 2100:
                    valid[(parent, y)].append(code)
    subs = con.execute("select submission_id, form_code, period, reporter_code from raw.submissions").fetchall()
    seen_rows = defaultdict(set)
    unknown = defaultdict(int)
    for sid, rn, kind, area, reported in con.execute("select submission_id, row_number, row_kind, area_code, reported from raw.rows").fetchall():
        if sid not in active or kind != "village":
            continue
        if area is None:
            unknown[sid] += 1
        elif reported:
            seen_rows[sid].add(area)
    form_periods = defaultdict(set)
    for sid, form, period, rep in subs:
        if form != "FPT":
            form_periods[(form, period)].add(rep)
    townships = {c for c, _, lvl, *_ in areas if lvl == "township"}
    for sid, form, period, rep in subs:
        if sid not in active or form == "FPT":
            continue
        for v in valid[(rep, int(period[:4]))]:
            if v not in seen_rows[sid]:
                add("completeness", "error", period, v, (), form, "village", rep)
        if unknown[sid]:
            add("completeness", "error", period, rep, (), form, "township", rep)
    active_keys = {(form, period, rep) for sid, form, period, rep in subs if sid in active}
    for (form, period), reps in form_periods.items():
        for t in townships:
            if (form, period, t) not in active_keys:
                add("completeness", "error", period, t, (), form, "township", t)

    # year over year (mergers mapped: a successor compares with the sum of its parts)
    succ_of = defaultdict(set)
    for code, name, level, parent, vf, vt, succ in areas:
        if level == "village" and succ:
            succ_of[(succ, int(vt) + 1)].add(code)
    for (period, area), vals in village_vals.items():
        if not period.isdigit():
            continue
        prev_p = str(int(period) - 1)
        parts = succ_of.get((area, int(period)), set())
        if parts:
            parts = parts | ({area} if (prev_p, area) in village_vals else set())
        else:
            parts = {area}
        for code in ("A02", "A03"):
            prev = [village_vals.get((prev_p, p), {}).get(code) for p in parts]
            if code in vals and prev and all(x is not None for x in prev):
                pv = sum(prev)
                if pv and abs(vals[code] / pv - 1) > 0.30:
                    add("plausibility", "warning", period, area, ("A02", "A03"), "FP1")

    # 元/万元 slip: an amount 1000x off its township peers
    by_town = defaultdict(list)
    for key, vals in rows.items():
        form, period, town, area, kind = meta[key]
        if kind == "village" and form == "FP3":
            by_town[(key[0], period)].append((area, vals))
    for (sid, period), items in by_town.items():
        for code in AMOUNTS:
            xs = [v[code] for _, v in items if v.get(code)]
            if len(xs) < 3:
                continue
            med = statistics.median(xs)
            for area, v in items:
                if v.get(code) and med and (v[code] / med >= 1000 or med / v[code] >= 1000):
                    add("plausibility", "warning", period, area, AMOUNTS, "FP3")

    # H1 progress against the city's targets
    targets = {}
    for sid, rn, form, period, town, area, kind, code, text, value in con.execute(
        "select submission_id, row_number, form_code, period, township_code, area_code, row_kind, indicator_code, raw_text, value from raw.cells where form_code = 'FPT'"
    ).fetchall():
        if sid in active and value is not None and kind == "county":
            targets[(period, area, code)] = value
    county_of = {}
    parent = {c: p for c, _, _, p, *_ in areas}
    for c, _, lvl, *_ in areas:
        if lvl == "village":
            county_of[c] = parent[parent[c]] if parent.get(c) in parent else None
    h1 = defaultdict(float)
    for (period, area), vals in village_vals.items():
        if period.endswith("H1"):
            cty = county_of.get(area)
            for t, a in (("T01", "A18"), ("T02", "B07"), ("T03", "C03")):
                if a in vals:
                    h1[(period[:4], cty, t)] += vals[a]
                    h1[(period[:4], parent.get(cty), t)] += vals[a]
    for (year, area, t), target in targets.items():
        if area is None or not target:
            continue
        if h1.get((year, area, t), 0) / target < 0.5:
            add("plausibility", "warning", f"{year}H1", area, (t,), "FPT", "county")
    city_targets = defaultdict(float)
    for (year, area, t), target in targets.items():
        if area:
            city_targets[(year, parent.get(area), t)] += target
    for (year, city, t), target in city_targets.items():
        if target and h1.get((year, city, t), 0) / target < 0.5:
            add("plausibility", "warning", f"{year}H1", city, (t,), "FPT", "city")
    return out


def injected(truth: Path) -> list[dict]:
    with open(truth / "injected.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def match(found: list[Issue], expected: list[dict]) -> tuple[list[dict], list[Issue]]:
    """(injected mistakes nobody found, found errors nobody injected). A found issue in a
    township's 合计 row counts as a consequence of a mistake injected into that township's
    villages for the same period and form."""
    unmatched = []
    for m in expected:
        inds = {c for c in m["indicator_codes"].split("|") if c}
        hit = [i for i in found if i.family == m["family"] and i.period == m["period"] and i.area_code == m["area_code"]
               and (not inds or not i.indicators or inds & i.indicators)]
        if not hit:
            unmatched.append(m)
    explained_towns = {(m["period"], m["area_code"][:9], m["form_code"]) for m in expected}
    explained = {(m["family"], m["period"], m["area_code"]) for m in expected}
    extra = []
    for i in found:
        if (i.family, i.period, i.area_code) in explained:
            continue
        if i.row_kind == "total" and (i.period, i.area_code[:9], i.form_code) in explained_towns:
            continue
        extra.append(i)
    return unmatched, extra
