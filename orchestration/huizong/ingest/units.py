"""Resolving reporting units and villages for many sheets at once: ``Resolver`` remembers
the registry's answers (a province inbox names the same townships thousands of times)."""

from __future__ import annotations

from huizong.registry import Area, Registry, name_keys


class Resolver:
    def __init__(self, registry: Registry):
        self.registry = registry
        self._units: dict[tuple, Area | None] = {}
        self._villages: dict[tuple[str, int], dict[str, str]] = {}
        self._counties: dict[tuple[str, int], dict[str, str]] = {}

    def resolve_unit(self, text: str, year: int | None, levels=("township", "city", "county")) -> Area | None:
        """``Registry.resolve_unit(text, year, levels)``, remembered."""
        key = (text, year, tuple(levels))
        if key not in self._units:
            self._units[key] = self.registry.resolve_unit(text, year, tuple(levels))
        return self._units[key]

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
