"""A fictional area registry (``reference/areas.csv``) at one of three scales.

Codes follow the statistical area code scheme of FORMS.md §1 (2/4/6/9/12 digits). The
registry holds, on purpose: village mergers between the first and the second year (three
villages into a new successor code; one village absorbing another and keeping its own code,
so that code has two rows), registry aliases (former names), and one township name that
exists in two counties.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

from huizong.demo.names import COUNTY_SUFFIX, TOWNSHIP_SUFFIX, NamePool

SCALES = ("tiny", "city", "province")
PROVINCE_CODE = "45"
PROVINCE_NAME = "桂川省"


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    level: str
    parent_code: str
    valid_from: int
    valid_to: int | None = None
    successor_code: str = ""
    aliases: tuple[str, ...] = ()

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


@dataclass
class Merger:
    kind: str  # "new_code" | "keep_code"
    year: int  # first year of the merged village
    successor: str
    predecessors: tuple[str, ...]  # codes that stop (keep_code: the absorbed ones only)
    township: str


@dataclass
class DemoRegistry:
    rows: list[AreaRow]
    years: tuple[int, ...]
    mergers: list[Merger] = field(default_factory=list)
    duplicate_township_name: str | None = None
    duplicate_townships: tuple[str, ...] = ()

    def __post_init__(self):
        self.reindex()

    def reindex(self) -> None:
        self.by_code: dict[str, list[AreaRow]] = {}
        self.children_of: dict[str, list[AreaRow]] = {}
        for r in self.rows:
            self.by_code.setdefault(r.code, []).append(r)
            if r.parent_code:
                self.children_of.setdefault(r.parent_code, []).append(r)

    def area(self, code: str, year: int | None = None) -> AreaRow:
        spans = self.by_code[code]
        if year is not None:
            spans = [a for a in spans if a.valid_in(year)] or spans
        return spans[-1]

    def of_level(self, level: str, year: int | None = None) -> list[AreaRow]:
        seen, out = set(), []
        for r in self.rows:
            if r.level == level and (year is None or r.valid_in(year)) and r.code not in seen:
                seen.add(r.code)
                out.append(r)
        return out

    def children(self, code: str, year: int, level: str | None = None) -> list[AreaRow]:
        out = [
            a for a in self.children_of.get(code, []) if a.valid_in(year) and (level is None or a.level == level)
        ]
        return sorted(out, key=lambda a: a.code)

    def parent(self, code: str) -> AreaRow:
        return self.area(self.area(code).parent_code)

    def write_csv(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["code", "name", "level", "parent_code", "valid_from", "valid_to", "successor_code", "aliases"])
            for r in self.rows:
                w.writerow(
                    [r.code, r.name, r.level, r.parent_code, r.valid_from, "" if r.valid_to is None else r.valid_to,
                     r.successor_code, "|".join(r.aliases)]
                )


# Shape of each scale: (cities, counties per city, townships per county, villages per township)
_SHAPE = {
    "tiny": ((1, 1), (1, 1), (3, 3), (6, 7)),
    "city": ((1, 1), (3, 3), (4, 4), (6, 8)),
    "province": ((10, 10), (9, 11), (9, 11), (12, 20)),
}
_MIN_VILLAGES = {"tiny": 15, "city": 80, "province": 15000}
_FROM_YEARS = (1984, 1987, 1992, 1996, 2001, 2005, 2011)


def build_registry(scale: str, seed: int, years: tuple[int, ...]) -> DemoRegistry:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    rng = random.Random(f"huizong-demo-registry:{scale}:{seed}")
    names = NamePool(rng)
    first_year = min(years)
    (c_lo, c_hi), (k_lo, k_hi), (t_lo, t_hi), (v_lo, v_hi) = _SHAPE[scale]
    rows: list[AreaRow] = [AreaRow(PROVINCE_CODE + "0" * 10, PROVINCE_NAME, "province", "", 1984)]
    city_names: set[str] = set()
    county_names: set[str] = set()
    township_names: set[str] = set()
    townships: list[AreaRow] = []
    n_cities = rng.randint(c_lo, c_hi)
    for ci in range(1, n_cities + 1):
        city_code = f"{PROVINCE_CODE}{ci:02d}"
        city = AreaRow(city_code + "0" * 8, names.unique_base(city_names, (1, 2)) + "市", "city", rows[0].code, 1984)
        rows.append(city)
        n_counties = rng.randint(k_lo, k_hi)
        for ki in range(1, n_counties + 1):
            suffix = rng.choice(COUNTY_SUFFIX)
            county_code = f"{city_code}{(ki if suffix == '区' else 20 + ki):02d}"
            if any(r.code == county_code + "000000" for r in rows):
                county_code = f"{city_code}{40 + ki:02d}"
            county = AreaRow(county_code + "000000", names.unique_base(county_names, (1, 2)) + suffix, "county", city.code, rng.choice(_FROM_YEARS[:3]))
            rows.append(county)
            n_town = rng.randint(t_lo, t_hi)
            n_zhen = 0
            n_xiang = 0
            for _ in range(n_town):
                suffix = rng.choice(TOWNSHIP_SUFFIX)
                if suffix == "镇":
                    code = f"{county_code}{100 + n_zhen:03d}"
                    n_zhen += 1
                else:
                    code = f"{county_code}{200 + n_xiang:03d}"
                    n_xiang += 1
                town = AreaRow(code + "000", names.unique_base(township_names, (1, 2)) + suffix, "township", county.code, rng.choice(_FROM_YEARS))
                rows.append(town)
                townships.append(town)
                taken: set[str] = set()
                n_vil = rng.randint(v_lo, v_hi)
                n_comm = rng.choice((0, 1, 1, 2))
                for vi in range(n_vil):
                    if vi < n_comm:
                        vcode, suffix_v = f"{code}{1 + vi:03d}", "社区"
                    else:
                        vcode, suffix_v = f"{code}{201 + vi - n_comm:03d}", "村"
                    name = names.unique_base(taken) + suffix_v
                    rows.append(AreaRow(vcode, name, "village", town.code, max(town.valid_from, rng.choice(_FROM_YEARS))))
    reg = DemoRegistry(rows, tuple(sorted(years)))
    _top_up(reg, rng, names, _MIN_VILLAGES[scale])
    _add_aliases(reg, rng, names)
    if len(years) > 1:
        _add_mergers(reg, rng, names, scale, first_year)
    _duplicate_township(reg, rng)
    reg.rows.sort(key=lambda r: (r.code, r.valid_from))
    reg.reindex()
    return reg


def _villages_of(reg: DemoRegistry, town_code: str) -> list[AreaRow]:
    return [r for r in reg.children_of.get(town_code, []) if r.level == "village"]


def _replace_row(reg: DemoRegistry, old: AreaRow, new: AreaRow) -> None:
    """Swap one (frozen) row for another, keeping the indexes current."""
    for i in range(len(reg.rows) - 1, -1, -1):
        if reg.rows[i] is old:
            reg.rows[i] = new
            break
    else:
        raise KeyError(old.code)
    for index, key in ((reg.by_code, old.code), (reg.children_of, old.parent_code)):
        spans = index.get(key, [])
        for j, r in enumerate(spans):
            if r is old:
                spans[j] = new


def _add_row(reg: DemoRegistry, row: AreaRow) -> None:
    reg.rows.append(row)
    reg.by_code.setdefault(row.code, []).append(row)
    reg.children_of.setdefault(row.parent_code, []).append(row)


def _top_up(reg: DemoRegistry, rng: random.Random, names: NamePool, minimum: int) -> None:
    villages = [r for r in reg.rows if r.level == "village"]
    towns = [r for r in reg.rows if r.level == "township"]
    by_town: dict[str, list[AreaRow]] = {}
    for v in villages:
        by_town.setdefault(v.parent_code, []).append(v)
    i = 0
    while len(villages) < minimum:
        town = towns[i % len(towns)]
        i += 1
        own = by_town[town.code]
        taken = {v.name[:-1] if v.name.endswith("村") else v.name[:-2] for v in own}
        last = max(int(v.code[-3:]) for v in own)
        code = f"{town.code[:9]}{max(last, 200) + 1:03d}"
        v = AreaRow(code, names.unique_base(taken) + "村", "village", town.code, max(town.valid_from, 2005))
        own.append(v)
        villages.append(v)
        _add_row(reg, v)


def _base_of(name: str) -> str:
    for suffix in ("社区", "村"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _add_aliases(reg: DemoRegistry, rng: random.Random, names: NamePool) -> None:
    """About one village in twelve gets a former name (at least one per township group)."""
    towns = [r for r in reg.rows if r.level == "township"]
    for ti, town in enumerate(towns):
        vils = _villages_of(reg, town.code)
        taken = {_base_of(v.name) for v in vils}
        picks = [v for v in vils if rng.random() < 0.08]
        if ti % 3 == 0 and not picks:
            picks = [rng.choice(vils)]
        for v in picks:
            alias = names.unique_base(taken) + "村"
            _replace_row(reg, v, replace(v, aliases=(alias,)))


def _add_mergers(reg: DemoRegistry, rng: random.Random, names: NamePool, scale: str, first_year: int) -> None:
    year = first_year + 1
    n_each = {"tiny": 1, "city": 1, "province": 12}[scale]
    towns = [r for r in reg.rows if r.level == "township"]
    order = list(range(len(towns)))
    rng.shuffle(order)
    used: set[str] = set()
    made = {"new_code": 0, "keep_code": 0}
    for ti in order:
        town = towns[ti]
        if town.code in used:
            continue
        vils = sorted((v for v in _villages_of(reg, town.code) if not v.aliases), key=lambda v: v.code)
        kind = "new_code" if made["new_code"] <= made["keep_code"] else "keep_code"
        if made[kind] >= n_each:
            kind = "keep_code" if kind == "new_code" else "new_code"
            if made[kind] >= n_each:
                break
        need = 3 if kind == "new_code" else 2
        if len(vils) < need + 2:
            continue
        used.add(town.code)
        chosen = rng.sample(vils[1:], need)
        chosen.sort(key=lambda v: v.code)
        if kind == "new_code":
            last = max(int(v.code[-3:]) for v in _villages_of(reg, town.code))
            succ_code = f"{town.code[:9]}{last + 1:03d}"
            # The merged village takes the name of one of its parts (as the samples do).
            keep_name = chosen[1].name
            for v in chosen:
                _replace_row(reg, v, replace(v, valid_to=year - 1, successor_code=succ_code))
            _add_row(reg, AreaRow(succ_code, keep_name, "village", town.code, year))
            reg.mergers.append(Merger(kind, year, succ_code, tuple(v.code for v in chosen), town.code))
        else:
            keeper, absorbed = chosen
            _replace_row(reg, keeper, replace(keeper, valid_to=year - 1, successor_code=keeper.code))
            _add_row(reg, AreaRow(keeper.code, keeper.name, "village", town.code, year))
            _replace_row(reg, absorbed, replace(absorbed, valid_to=year - 1, successor_code=keeper.code))
            reg.mergers.append(Merger(kind, year, keeper.code, (absorbed.code,), town.code))
        made[kind] += 1


def _duplicate_township(reg: DemoRegistry, rng: random.Random) -> None:
    """Give one township the name of a township in another county."""
    counties = [r for r in reg.rows if r.level == "county"]
    if len(counties) < 2:
        return
    a_county, b_county = counties[0], counties[1]
    a = next(r for r in reg.rows if r.level == "township" and r.parent_code == a_county.code)
    b_list = [r for r in reg.rows if r.level == "township" and r.parent_code == b_county.code]
    b = b_list[-1]
    _replace_row(reg, b, replace(b, name=a.name))
    reg.duplicate_township_name = a.name
    reg.duplicate_townships = (a.code, b.code)
