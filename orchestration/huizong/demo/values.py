"""Internally consistent village figures for every form and period.

Per village a profile (households, people per household, land, poverty, roads, ...) evolves
half-year by half-year; each period's form values are derived from it so that every rule of
FORMS.md §5 holds: balances are exact, ratios are rounded to 2 decimals (and kept clear of
the tolerance edge), subsidy amounts are count × the year's rate, B04+B05 = A02, H1 flows
never exceed the annual ones, persons per household stay within 2.5-4.5, year-over-year
changes stay small (merged villages continue their parts' sums).

Values are in the indicator's canonical unit: ints for counts, floats with the indicator's
decimals for amounts and lengths (万元 with 2 decimals, 公里 with 1); land is always a
multiple of 1.5 亩 so it converts exactly to 公顷 with one decimal.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from huizong.demo.areas import DemoRegistry

FP4_LEVELS = (("D03", "D04"), ("D05", "D06"), ("D07", "D08"), ("D09", "D10"), ("D11", "D12"))
RATE_DEFAULT = {"D04": 500, "D06": 1000, "D08": 1500, "D10": 1500, "D12": 1500, "D17": 600}
COUNT_OF = {"D04": "D03", "D06": "D05", "D08": "D07", "D10": "D09", "D12": "D11", "D17": "D16"}
RATIO_CODES = ("A05", "A08", "B08", "C04")


def subsidy_rates(years: tuple[int, ...]) -> dict[tuple[int, str], int]:
    """Rates per (year, amount code). The 高校 standard rises in the second year: the rates
    file is the authority, not a constant."""
    rates = {}
    for i, y in enumerate(sorted(years)):
        for code, rate in RATE_DEFAULT.items():
            rates[(y, code)] = rate + (500 if code == "D12" and i >= 1 else 0)
    return rates


def round2(x: float) -> float:
    return float(f"{x:.2f}") if math.isfinite(x) else x


def _r(x: float) -> int:
    return int(math.floor(x + 0.5))


@dataclass
class Profile:
    hh: float
    pph: float
    groups: int
    land_per_person: float
    pov: float
    ppph: float
    income: float
    dibao: float
    hard: float  # hardened road, tenths of km
    dirt: float
    mud: float
    water: float
    plan: float  # FP3 annual plan, 万元
    edu: float  # FP4 scale
    growth: float


def new_profile(rng: random.Random, community: bool) -> Profile:
    return Profile(
        hh=rng.uniform(420, 1500) if community else rng.uniform(160, 1100),
        pph=rng.uniform(2.8, 4.1),
        groups=rng.randint(3, 16),
        land_per_person=rng.uniform(0.5, 2.6),
        pov=rng.uniform(0.02, 0.28),
        ppph=rng.uniform(2.8, 4.0),
        income=rng.uniform(3200, 9500),
        dibao=rng.uniform(0.02, 0.07),
        hard=rng.uniform(30, 300),
        dirt=rng.uniform(30, 350),
        mud=rng.uniform(0.06, 0.45),
        water=rng.uniform(0.72, 0.97),
        plan=rng.uniform(25, 320),
        edu=rng.uniform(0.6, 1.6),
        growth=rng.uniform(-0.006, 0.012),
    )


def period_index(period: str, first_year: int) -> int:
    """Half-years since the start: 2017H1 -> 1, 2017 -> 2, 2018H1 -> 3, ..."""
    year = int(period[:4])
    return 2 * (year - first_year) + (1 if period.endswith("H1") else 2)


def _stock_state(p: Profile, t: int) -> dict[str, float]:
    g = (1 + p.growth) ** t
    return {
        "hh": p.hh * g,
        "persons": p.hh * g * p.pph,
        "land": p.hh * p.pph * p.land_per_person,
        "poor_hh": p.hh * g * p.pov * (0.9 ** t),
        "groups": p.groups,
        "hard": p.hard + 4 * t,
        "dirt": max(5.0, p.dirt - 3 * t),
        "mud_hh": p.hh * g * p.mud * (0.94 ** t),
        "water_hh": p.hh * g * min(0.99, p.water + 0.01 * t),
        "income": p.income * (1.07 ** (t / 2)),
        "dibao": p.hh * g * p.pph * p.dibao,
        "plan": p.plan * (1.05 ** (t / 2)),
        "edu": p.edu,
    }


def combined_state(profiles: list[Profile], t: int) -> dict[str, float]:
    """The state of a village made of several parts (a merger): sums, and weighted means."""
    states = [_stock_state(p, t) for p in profiles]
    out = {k: sum(s[k] for s in states) for k in states[0]}
    w = [s["persons"] for s in states]
    out["income"] = sum(s["income"] * wi for s, wi in zip(states, w)) / sum(w)
    out["edu"] = sum(s["edu"] for s in states)
    out["groups"] = sum(s["groups"] for s in states)
    out["pph"] = out["persons"] / out["hh"]
    out["ppph"] = sum(p.ppph for p in profiles) / len(profiles)
    return out


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """``total`` split into integer parts proportional to ``weights`` (largest remainder)."""
    if total <= 0:
        return [0] * len(weights)
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(math.floor(x)) for x in raw]
    rest = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], rng.random()), reverse=True)
    for i in order[:rest]:
        parts[i] += 1
    return parts


def _ratio_safe(num: float, den: float, scale: float, tol: float) -> bool:
    """True when the 2-decimal rounding of num/den stays well inside the tolerance."""
    if den == 0:
        return True
    x = scale * num / den
    return abs(round2(x) - x) <= tol


def fp1(state: dict[str, float], rng: random.Random, annual: dict | None, h1_share: float) -> dict:
    hh = max(40, _r(state["hh"]))
    persons = _r(state["persons"])
    persons = min(max(persons, math.ceil(2.5 * hh)), math.floor(4.5 * hh))
    units = max(20, _r(state["land"] / 1.5))  # land in steps of 1.5 亩 (= 0.1 公顷)
    while not _ratio_safe(units * 1.5, persons, 1, 0.004):
        units += 1
    poor_hh = min(hh, max(0, _r(state["poor_hh"])))
    ppph = state.get("ppph", 3.3)
    poor = _r(poor_hh * ppph)
    poor = min(max(poor, math.ceil(2.5 * poor_hh)), math.floor(4.5 * poor_hh), persons)
    w = [rng.uniform(0.28, 0.42), rng.uniform(0.3, 0.45), rng.uniform(0.06, 0.14), rng.uniform(0.08, 0.2)]
    hh_parts = _split(poor_hh, w, rng)
    extra = _split(poor - poor_hh, [max(h, 0) for h in hh_parts] if poor_hh else w, rng)
    p_parts = [h + e for h, e in zip(hh_parts, extra)]
    v = {
        "A01": int(state["groups"]),
        "A02": hh,
        "A03": persons,
        "A04": round(units * 1.5, 1),
        "A06": poor_hh,
        "A07": poor,
        "A09": hh_parts[0], "A10": p_parts[0],
        "A11": hh_parts[1], "A12": p_parts[1],
        "A13": hh_parts[2], "A14": p_parts[2],
        "A15": hh_parts[3], "A16": p_parts[3],
        "A20": min(persons, _r(state["dibao"])),
    }
    if annual is None:  # the annual flows
        out_hh = _r(poor_hh * rng.uniform(0.12, 0.32) + 0.3)
        v["A17"] = out_hh
        v["A18"] = _r(out_hh * rng.uniform(2.7, 3.9))
        v["A19"] = _r(state["income"])
    else:  # H1: cumulative from January, never above the year's figure
        v["A17"] = min(annual["A17"], _r(annual["A17"] * h1_share))
        v["A18"] = min(annual["A18"], _r(annual["A18"] * h1_share))
        v["A19"] = _r(state["income"] * rng.uniform(0.46, 0.52))
    finish_fp1(v)
    return v


def finish_fp1(v: dict) -> None:
    """Recompute A05, A08 (and A21) from the components, as a township would."""
    v["A05"] = round2(v["A04"] / v["A03"]) if v["A03"] else 0.0
    v["A08"] = round2(100 * v["A07"] / v["A03"]) if v["A03"] else 0.0
    v["A21"] = 1 if v["A08"] >= 10 else 0


def fp2(state: dict[str, float], a02: int, rng: random.Random, annual: dict | None, h1_share: float) -> dict:
    hard = max(1, _r(state["hard"]))
    dirt = max(1, _r(state["dirt"]))
    mud = min(a02, max(0, _r(state["mud_hh"])))
    v = {
        "B01": round((hard + dirt) / 10, 1),
        "B02": round(hard / 10, 1),
        "B03": round(dirt / 10, 1),
        "B04": a02 - mud,
        "B05": mud,
        "B09": min(a02, _r(state["water_hh"])),
    }
    if annual is None:
        plan = max(1, _r(mud * rng.uniform(0.05, 0.2)))
        v["B06"] = plan
        v["B07"] = min(plan, _r(plan * rng.uniform(0.6, 1.0)))
    else:
        v["B06"] = max(1, min(annual["B06"], _r(annual["B06"] * h1_share)))
        v["B07"] = min(annual["B07"], v["B06"], _r(annual["B07"] * h1_share))
    finish_fp2(v)
    return v


def finish_fp2(v: dict) -> None:
    v["B08"] = round2(100 * v["B07"] / v["B06"]) if v["B06"] else 0.0


def fp3(state: dict[str, float], rng: random.Random, annual: dict | None, h1_share: float) -> dict:
    if annual is None:
        total = max(500, _r(state["plan"] * 100))  # cents of 万元
        fin = _r(total * rng.uniform(0.45, 0.6))
        integ = _r(total * rng.uniform(0.12, 0.25))
        soc = _r(total * rng.uniform(0.04, 0.12))
        own = total - fin - integ - soc
        done = _r(total * rng.uniform(0.6, 1.0))
        n = rng.randint(1, 8)
    else:
        parts = [_r(annual[c] * 100 * h1_share) for c in ("C05", "C06", "C07", "C08")]
        fin, integ, soc, own = parts
        total = sum(parts)
        done = min(_r(annual["C03"] * 100 * h1_share), total)
        n = max(1, min(annual["C01"], _r(annual["C01"] * h1_share)))
    v = {
        "C01": n,
        "C02": total / 100,
        "C03": done / 100,
        "C05": fin / 100,
        "C06": integ / 100,
        "C07": soc / 100,
        "C08": own / 100,
    }
    finish_fp3(v)
    return v


def finish_fp3(v: dict) -> None:
    v["C04"] = round2(100 * v["C03"] / v["C02"]) if v["C02"] else 0.0


def fp4(state: dict[str, float], rng: random.Random, rates: dict[str, int]) -> dict:
    e = state["edu"]
    v = {}
    caps = (24, 16, 9, 7, 7)
    for (cnt, amt), cap in zip(FP4_LEVELS, caps):
        n = max(0, _r(rng.uniform(-0.25, 1.0) * cap * e))
        v[cnt] = n
        v[amt] = n * rates[amt]
    v["D13"] = max(1, _r(rng.uniform(0.2, 1.0) * 30 * e))
    v["D14"] = max(0, _r(rng.uniform(-0.1, 1.0) * 40 * e))
    v["D15"] = max(0, _r(rng.uniform(-0.1, 1.0) * 45 * e))
    v["D16"] = max(0, _r(rng.uniform(-0.1, 1.0) * 16 * e))
    v["D17"] = v["D16"] * rates["D17"]
    finish_fp4(v)
    return v


def finish_fp4(v: dict) -> None:
    v["D01"] = sum(v[c] for c, _ in FP4_LEVELS)
    v["D02"] = sum(v[a] for _, a in FP4_LEVELS)


FORM_PERIODS = {"FP1": ("YYYY", "YYYYH1"), "FP2": ("YYYY", "YYYYH1"), "FP3": ("YYYY", "YYYYH1"), "FP4": ("YYYYH1", "YYYYH2")}


def periods_of(form: str, year: int) -> list[str]:
    return [str(year) if k == "YYYY" else f"{year}{k[4:]}" for k in FORM_PERIODS[form]]


class VillageValues:
    """Every village's values per (form, period), generated lazily per township."""

    def __init__(self, reg: DemoRegistry, seed: int, years: tuple[int, ...]):
        self.reg = reg
        self.seed = seed
        self.years = tuple(sorted(years))
        self.rates = subsidy_rates(self.years)
        self._members: dict[tuple[str, int], list[str]] = {}
        for m in reg.mergers:
            if m.kind == "new_code":
                self._members[(m.successor, m.year)] = list(m.predecessors)
            else:
                self._members[(m.successor, m.year)] = [m.successor, *m.predecessors]
        self.boost: dict[tuple[str, str], float] = {}  # (village, period) -> households factor

    def _profile(self, code: str) -> Profile:
        rng = random.Random(f"{self.seed}:profile:{code}")
        return new_profile(rng, code[9] == "0")

    def _parts(self, code: str, year: int) -> list[str]:
        for (succ, y), parts in self._members.items():
            if succ == code and year >= y:
                return parts
        return [code]

    def state(self, code: str, period: str) -> dict[str, float]:
        year = int(period[:4])
        t = period_index(period, self.years[0])
        st = combined_state([self._profile(p) for p in self._parts(code, year)], t)
        f = self.boost.get((code, period))
        if f:
            for k in ("hh", "persons", "mud_hh", "water_hh", "dibao"):
                st[k] *= f
        return st

    def township(self, town_code: str, year: int) -> dict[tuple[str, str], dict[str, dict]]:
        """{(form, period): {village_code: values}} for one township and year."""
        out: dict[tuple[str, str], dict[str, dict]] = {}
        villages = self.reg.children(town_code, year, "village")
        y, h1, h2 = str(year), f"{year}H1", f"{year}H2"
        rates = {c: self.rates[(year, c)] for c in RATE_DEFAULT}
        for v in villages:
            rng = random.Random(f"{self.seed}:values:{v.code}:{year}")
            share = rng.uniform(0.58, 0.74)
            st_y, st_h1 = self.state(v.code, y), self.state(v.code, h1)
            a1 = fp1(st_y, rng, None, share)
            b1 = fp1(st_h1, rng, a1, share)
            a2 = fp2(st_y, a1["A02"], rng, None, share)
            b2 = fp2(st_h1, b1["A02"], rng, a2, share)
            a3 = fp3(st_y, rng, None, share)
            b3 = fp3(st_h1, rng, a3, share)
            d1 = fp4(st_h1, rng, rates)
            d2 = fp4(st_y, rng, rates)
            for key, vals in ((("FP1", y), a1), (("FP1", h1), b1), (("FP2", y), a2), (("FP2", h1), b2),
                              (("FP3", y), a3), (("FP3", h1), b3), (("FP4", h1), d1), (("FP4", h2), d2)):
                out.setdefault(key, {})[v.code] = vals
        return out


def finish(form: str, v: dict) -> None:
    {"FP1": finish_fp1, "FP2": finish_fp2, "FP3": finish_fp3, "FP4": finish_fp4}[form](v)


def total_row(form: str, rows: list[dict], indicators) -> dict:
    """The township's 合计 row over the reported rows of a sheet: sums (exact in the
    indicator's decimals), A21 = number flagged 是, ratios recomputed from the sums, A19
    weighted by A03."""
    out: dict = {}
    for ind in indicators:
        if ind.kind in ("stock", "flow"):
            vals = [r.get(ind.code) for r in rows if isinstance(r.get(ind.code), (int, float))]
            if ind.decimals == 0 and all(isinstance(x, int) for x in vals):
                out[ind.code] = sum(vals)
            else:
                out[ind.code] = round(sum(vals), max(ind.decimals, 2))
        elif ind.kind == "flag":
            out[ind.code] = sum(1 for r in rows if r.get(ind.code) == 1)
    if form == "FP1":
        w = [(r["A19"], r["A03"]) for r in rows if isinstance(r.get("A19"), (int, float)) and isinstance(r.get("A03"), (int, float))]
        den = sum(b for _, b in w)
        out["A19"] = _r(sum(a * b for a, b in w) / den) if den else 0
    for ind in indicators:
        if ind.kind == "ratio":
            num, den = out.get(ind.numerator, 0), out.get(ind.denominator, 0)
            out[ind.code] = round2(ind.scale * num / den) if den else 0.0
    return out
