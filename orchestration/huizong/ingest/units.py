"""Resolving reporting units and villages for many sheets at once.

``Registry.resolve_unit`` compares a 填报单位 with every area of the registry; a province
holds some 17,000 areas and an inbox some 16,000 sheets. ``Resolver`` gives the same
answers from an index of name keys (a key must be a tail of the written name, so only the
areas filed under one of the name's suffixes are candidates) and remembers them, as it
remembers each township's village index.
"""

from __future__ import annotations

import re
from collections import defaultdict

from huizong.normalize import compact
from huizong.registry import Area, Registry, code12, name_keys


class Resolver:
    def __init__(self, registry: Registry):
        self.registry = registry
        self._by_key: dict[str, list[tuple[int, Area]]] = defaultdict(list)
        for pos, area in enumerate(registry.areas):
            keys = set(name_keys(area.name))
            for alias in area.aliases:
                keys |= name_keys(alias)
            for key in keys:
                self._by_key[key].append((pos, area))
        self._units: dict[tuple, Area | None] = {}
        self._villages: dict[tuple[str, int], dict[str, str]] = {}
        self._counties: dict[tuple[str, int], dict[str, str]] = {}

    def resolve_unit(self, text: str, year: int | None, levels=("township", "city", "county")) -> Area | None:
        """Exactly ``Registry.resolve_unit(text, year, levels)``."""
        key = (text, year, tuple(levels))
        if key not in self._units:
            self._units[key] = self._resolve(text, year, tuple(levels))
        return self._units[key]

    def _resolve(self, text: str, year: int | None, levels: tuple[str, ...]) -> Area | None:
        reg = self.registry
        t = compact(text)
        m = re.search(r"(\d{12}|\d{9}|\d{6}|\d{4})", t)
        if m:
            area = reg._by_code_any_year(code12(m.group(1)), year)
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
            area for _, area in sorted(found.items())
            if area.level in levels and (year is None or area.valid_in(year)) and reg._name_matches_tail(area, name)
        ]
        if len(candidates) > 1:
            scored = [(reg._prefix_score(a, name), a) for a in candidates]
            best = max(s for s, _ in scored)
            candidates = [a for s, a in scored if s == best]
        if len({a.code for a in candidates}) == 1:
            return candidates[0]
        return None

    def village_index(self, township_code: str, year: int) -> dict[str, str]:
        key = (township_code, year)
        if key not in self._villages:
            self._villages[key] = self.registry.village_index(township_code, year)
        return self._villages[key]

    def county_index(self, city_code: str, year: int) -> dict[str, str]:
        key = (city_code, year)
        if key not in self._counties:
            index: dict[str, str] = {}
            for county in self.registry.children(city_code, year, "county"):
                for k in name_keys(county.name):
                    index[k] = county.code
            self._counties[key] = index
        return self._counties[key]

    def area(self, code: str, year: int | None = None) -> Area | None:
        return self.registry.area(code, year)


_RESOLVERS: dict[int, Resolver] = {}


def resolver_for(registry: Registry) -> Resolver:
    """One resolver per registry object (a registry is not changed once read)."""
    r = _RESOLVERS.get(id(registry))
    if r is None or r.registry is not registry:
        if len(_RESOLVERS) > 8:
            _RESOLVERS.clear()
        r = _RESOLVERS[id(registry)] = Resolver(registry)
    return r
