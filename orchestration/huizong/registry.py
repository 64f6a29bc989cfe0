"""The area registry (``reference/areas.csv``): hierarchy, validity spans, names and aliases.

Resolves what a township writes (``点军区土城乡``, ``土城乡(420504103)``, a traditional
spelling, a village without its ``村`` suffix, a former name) to a 12-digit code, for the
areas valid in a given year.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from huizong.normalize import compact

LEVELS = ("province", "city", "county", "township", "village")
_SUFFIXES = ("社区居委会", "村委会", "居委会", "社区", "村", "街道", "镇", "乡")


class RegistryError(ValueError):
    pass


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str
    parent_code: str
    valid_from: int
    valid_to: int | None
    successor_code: str
    aliases: tuple[str, ...]

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    @cached_property
    def keys(self) -> frozenset[str]:
        """Every spelling the area is known by: the ``name_keys`` of its name and aliases."""
        return frozenset(name_keys(self.name).union(*(name_keys(al) for al in self.aliases)))


def name_keys(name: str) -> set[str]:
    """Spellings a name is known by: simplified, compact, with and without its suffix."""
    key = compact(name)
    keys = {key}
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            keys.add(key[: -len(suffix)])
            break
    return keys


def code12(code: str) -> str:
    """A 9- or 12-digit area code as 12 digits; ``6105`` style prefixes are padded too."""
    return code.ljust(12, "0")


class Registry:
    def __init__(self, areas: list[Area]):
        self.areas = areas
        self.by_code: dict[str, list[Area]] = defaultdict(list)
        for a in areas:
            self.by_code[a.code].append(a)
        self._children: dict[str, list[Area]] = defaultdict(list)
        for a in areas:
            if a.parent_code:
                self._children[a.parent_code].append(a)
        # name key -> (registry position, area): a 填报单位 is resolved by looking up each of
        # its tails instead of comparing it with every area of a province
        self._by_key: dict[str, list[tuple[int, Area]]] = defaultdict(list)
        for pos, a in enumerate(areas):
            for key in a.keys:
                self._by_key[key].append((pos, a))

    @classmethod
    def from_csv(cls, path: Path) -> "Registry":
        areas = []
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                for n, row in enumerate(csv.DictReader(fh), start=2):
                    code = (row.get("code") or "").strip()
                    if not re.fullmatch(r"\d{12}", code) or row.get("level") not in LEVELS:
                        raise RegistryError(f"{path}: line {n}: bad code or level: {row}")
                    areas.append(
                        Area(
                            code=code,
                            name=row["name"].strip(),
                            level=row["level"],
                            parent_code=(row.get("parent_code") or "").strip(),
                            valid_from=int(row.get("valid_from") or 0),
                            valid_to=int(row["valid_to"]) if (row.get("valid_to") or "").strip() else None,
                            successor_code=(row.get("successor_code") or "").strip(),
                            aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                        )
                    )
        except FileNotFoundError as exc:
            raise RegistryError(f"area registry not found: {path}") from exc
        return cls(areas)

    def area(self, code: str, year: int | None = None) -> Area | None:
        spans = self.by_code.get(code, [])
        if year is not None:
            spans = [a for a in spans if a.valid_in(year)]
        return spans[-1] if spans else None

    def children(self, code: str, year: int, level: str | None = None) -> list[Area]:
        return [a for a in self._children.get(code, []) if a.valid_in(year) and (level is None or a.level == level)]

    def villages_of(self, township_code: str, year: int) -> list[Area]:
        return self.children(township_code, year, "village")

    # -- resolving what a form says ------------------------------------------------------

    def resolve_unit(self, text: str, year: int | None, levels=("township", "city", "county")) -> Area | None:
        """The reporting unit named in ``填报单位``: a code in parentheses, or a name,
        optionally preceded by its county (or city) name."""
        t = compact(text)
        m = re.search(r"(\d{12}|\d{9}|\d{6}|\d{4})", t)
        if m:
            area = self._by_code_any_year(code12(m.group(1)), year)
            if area and area.level in levels:
                return area
        name = re.sub(r"[\(\[][^)\]]*[\)\]]", "", t)
        name = re.sub(r"\d+", "", name)
        if not name:
            return None
        found: dict[int, Area] = {}
        for i in range(len(name)):
            for pos, area in self._by_key.get(name[i:], ()):
                found[pos] = area
        candidates = [
            a for _, a in sorted(found.items())
            if a.level in levels and (year is None or a.valid_in(year)) and self._name_matches_tail(a, name)
        ]
        if len(candidates) > 1:
            # 点军区土城乡: prefer the candidate whose ancestors' names account for the prefix.
            scored = [(self._prefix_score(a, name), a) for a in candidates]
            best = max(s for s, _ in scored)
            candidates = [a for s, a in scored if s == best]
        if len({a.code for a in candidates}) == 1:
            return candidates[0]
        return None

    def _by_code_any_year(self, code: str, year: int | None) -> Area | None:
        return self.area(code, year) or self.area(code)

    def _name_matches_tail(self, area: Area, text: str) -> bool:
        for key in area.keys:
            if text == key or text.endswith(key) and len(key) >= 2:
                prefix = text[: len(text) - len(key)]
                if not prefix or self._is_ancestor_prefix(area, prefix):
                    return True
        return False

    def _ancestor_names(self, area: Area) -> list[str]:
        names, parent = [], self.area(area.parent_code) if area.parent_code else None
        while parent is not None:
            names.extend(sorted(name_keys(parent.name), key=len, reverse=True))
            parent = self.area(parent.parent_code) if parent.parent_code else None
        return names

    def _is_ancestor_prefix(self, area: Area, prefix: str) -> bool:
        rest = prefix
        for name in self._ancestor_names(area):
            rest = rest.replace(name, "")
        return rest == ""

    def _prefix_score(self, area: Area, text: str) -> int:
        return sum(len(n) for n in self._ancestor_names(area) if n in text)

    def village_index(self, township_code: str, year: int) -> dict[str, str]:
        """Name key -> village code for the villages of a township valid in ``year``
        (official names, suffix-less names and registry aliases)."""
        index: dict[str, str] = {}
        ambiguous: set[str] = set()
        villages = self.villages_of(township_code, year)
        for v in villages:
            for key in v.keys:
                if key in index and index[key] != v.code:
                    ambiguous.add(key)
                index[key] = v.code
        for key in ambiguous:
            index.pop(key, None)
        return index
