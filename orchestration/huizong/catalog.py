"""The indicator catalog, declared once as dbt seeds in ``dbt_project/seeds/catalog_*.csv``.

The reader, the dbt models (as seeds), the rules and the exports all use these files; this
module is the one small Python loader over them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from huizong import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"


@dataclass(frozen=True)
class Indicator:
    code: str
    form_code: str
    position: int
    label: str
    group_label: str
    leaf_label: str
    unit: str
    kind: str  # stock | flow | ratio | wmean | flag | target
    decimals: int
    numerator: str = ""
    denominator: str = ""
    scale: float = 1.0
    weight: str = ""
    target_of: str = ""

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


@dataclass(frozen=True)
class Form:
    code: str
    table_no: str
    title: str
    periods: tuple[str, ...]
    issuer_suffix: str
    unit_note: str
    indicators: tuple[Indicator, ...] = field(default=())


@dataclass(frozen=True)
class Catalog:
    forms: dict[str, Form]
    indicators: dict[str, Indicator]
    aliases: dict[str, list[str]]  # indicator code -> extra header labels
    unit_factors: dict[tuple[str, str], float]  # (declared unit, canonical unit) -> factor
    period_patterns: tuple[tuple[re.Pattern[str], str], ...]

    def form_by_table_no(self, table_no: str) -> Form | None:
        for form in self.forms.values():
            if form.table_no == table_no:
                return form
        return None

    def indicators_of(self, form_code: str) -> tuple[Indicator, ...]:
        return self.forms[form_code].indicators

    def factor(self, declared_unit: str, canonical_unit: str) -> float | None:
        """Factor converting a value declared in ``declared_unit`` into ``canonical_unit``."""
        if declared_unit == canonical_unit:
            return 1.0
        return self.unit_factors.get((declared_unit, canonical_unit))


def _read(name: str, seeds_dir: Path) -> list[dict[str, str]]:
    with open(seeds_dir / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_catalog(seeds_dir: Path = SEEDS_DIR) -> Catalog:
    indicators: dict[str, Indicator] = {}
    for row in _read("catalog_indicators.csv", seeds_dir):
        indicators[row["indicator_code"]] = Indicator(
            code=row["indicator_code"],
            form_code=row["form_code"],
            position=int(row["position"]),
            label=row["label"],
            group_label=row["group_label"],
            leaf_label=row["leaf_label"],
            unit=row["unit"],
            kind=row["kind"],
            decimals=int(row["decimals"]),
            numerator=row["numerator"],
            denominator=row["denominator"],
            scale=float(row["scale"] or 1),
            weight=row["weight"],
            target_of=row["target_of"],
        )
    forms: dict[str, Form] = {}
    for row in _read("catalog_forms.csv", seeds_dir):
        members = tuple(
            sorted((i for i in indicators.values() if i.form_code == row["form_code"]), key=lambda i: i.position)
        )
        forms[row["form_code"]] = Form(
            code=row["form_code"],
            table_no=row["table_no"],
            title=row["title"],
            periods=tuple(row["periods"].split("|")),
            issuer_suffix=row["issuer_suffix"],
            unit_note=row["unit_note"],
            indicators=members,
        )
    aliases: dict[str, list[str]] = {}
    for row in _read("catalog_label_aliases.csv", seeds_dir):
        aliases.setdefault(row["indicator_code"], []).append(row["alias"])
    factors = {(r["unit"], r["canonical_unit"]): float(r["factor"]) for r in _read("catalog_units.csv", seeds_dir)}
    patterns = tuple((re.compile(r["pattern"]), r["period_kind"]) for r in _read("catalog_periods.csv", seeds_dir))
    return Catalog(forms, indicators, aliases, factors, patterns)


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    return load_catalog()
