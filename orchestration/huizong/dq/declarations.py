"""Rule declarations (``expectations/rules/*.yml``): load, validate, resolve against the catalog.

A file holds ``rules:``, a list of declarations. Every declaration has

- ``id`` (unique over all files), ``family`` (FORMS.md section 5), ``severity`` (error|warning),
  ``message`` (placeholders ``{name}``, see ``huizong.dq.engine``);
- ``indicators``: a list of codes, or a selector over the catalog
  (``{kinds: [...], units: [...], forms: [...], codes: [...], exclude: [...]}``, all optional,
  every given filter must hold); ``[]`` for checks that concern no indicator;
- either ``relation`` (``A06 = A09 + A11 + A13 + A15``; its codes must be exactly
  ``indicators``) or ``check`` (a template of ``huizong.dq.templates``) with ``params``;
- ``tolerance``: a number, or a mapping from unit to number with a ``default``;
- optional ``row_kinds`` (which rows of a form the rule reads: village, total, county),
  ``anchor`` (for a relation: the indicator whose cell is the issue's source cell; default
  the first code of the relation), ``description``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from huizong import EXPECTATIONS_DIR
from huizong.catalog import Catalog, default_catalog
from huizong.dq.relation import Relation, RelationError, parse_relation

RULES_DIR = EXPECTATIONS_DIR / "rules"
FAMILIES = (
    "balance", "ratio", "standard", "bounds", "cross_form", "hierarchy", "cross_period", "completeness", "plausibility",
)
SEVERITIES = ("error", "warning")
ROW_KINDS = ("village", "total", "county")
_KEYS = {
    "id", "family", "severity", "message", "indicators", "relation", "check", "params", "tolerance", "row_kinds",
    "anchor", "description",
}
_SELECTOR_KEYS = {"kinds", "units", "forms", "codes", "exclude"}


class DeclarationError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    severity: str
    message: str
    indicators: tuple[str, ...]
    relation: Relation | None = None
    check: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    tolerance: float | dict[str, float] = 0.0
    row_kinds: tuple[str, ...] = ("village", "total")
    anchor: str | None = None
    description: str = ""
    source: str = ""

    def tolerance_for(self, code: str, catalog: Catalog) -> float:
        if isinstance(self.tolerance, dict):
            unit = catalog.indicators[code].unit
            return float(self.tolerance.get(unit, self.tolerance.get("default", 0.0)))
        return float(self.tolerance)


def select_indicators(selector: Any, catalog: Catalog, where: str = "") -> tuple[str, ...]:
    """Codes named by a declaration's ``indicators`` (a list, or a selector over the catalog)."""
    if selector is None:
        return ()
    if isinstance(selector, (list, tuple)):
        for code in selector:
            if code not in catalog.indicators:
                raise DeclarationError(f"{where}: {code!r} is not an indicator of the catalog")
        return tuple(selector)
    if not isinstance(selector, dict):
        raise DeclarationError(f"{where}: indicators must be a list of codes or a selector mapping")
    unknown = set(selector) - _SELECTOR_KEYS
    if unknown:
        raise DeclarationError(f"{where}: unknown selector keys {sorted(unknown)}")
    for code in list(selector.get("codes", [])) + list(selector.get("exclude", [])):
        if code not in catalog.indicators:
            raise DeclarationError(f"{where}: {code!r} is not an indicator of the catalog")
    for form in selector.get("forms", []):
        if form not in catalog.forms:
            raise DeclarationError(f"{where}: {form!r} is not a form of the catalog")
    out = []
    for form in catalog.forms.values():
        for ind in form.indicators:
            if "kinds" in selector and ind.kind not in selector["kinds"]:
                continue
            if "units" in selector and ind.unit not in selector["units"]:
                continue
            if "forms" in selector and ind.form_code not in selector["forms"]:
                continue
            if "codes" in selector and ind.code not in selector["codes"]:
                continue
            if ind.code in selector.get("exclude", []):
                continue
            out.append(ind.code)
    if not out:
        raise DeclarationError(f"{where}: the indicator selector {selector} matches nothing in the catalog")
    return tuple(out)


def _as_tuple(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (list, tuple)):
        raise DeclarationError(f"{where}: {key} must be a list")
    return tuple(value)


def parse_declaration(decl: dict[str, Any], catalog: Catalog, source: str = "") -> Rule:
    where = f"{source}: rule {decl.get('id', '?')}"
    if not isinstance(decl, dict):
        raise DeclarationError(f"{source}: a declaration must be a mapping, got {decl!r}")
    unknown = set(decl) - _KEYS
    if unknown:
        raise DeclarationError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "family", "severity", "message"):
        if not decl.get(key):
            raise DeclarationError(f"{where}: {key} is required")
    if decl["family"] not in FAMILIES:
        raise DeclarationError(f"{where}: family {decl['family']!r} is not one of {FAMILIES}")
    if decl["severity"] not in SEVERITIES:
        raise DeclarationError(f"{where}: severity {decl['severity']!r} is not one of {SEVERITIES}")
    if ("relation" in decl) == ("check" in decl):
        raise DeclarationError(f"{where}: give exactly one of relation or check")
    if "indicators" not in decl:
        raise DeclarationError(f"{where}: indicators is required (a list of codes, a selector, or [])")
    codes = select_indicators(decl["indicators"], catalog, where)
    tol = decl.get("tolerance", 0.0)
    if isinstance(tol, dict):
        bad = [k for k, v in tol.items() if not isinstance(v, (int, float))]
        if bad:
            raise DeclarationError(f"{where}: tolerance values must be numbers ({bad})")
        tol = {str(k): float(v) for k, v in tol.items()}
    elif isinstance(tol, (int, float)):
        tol = float(tol)
    else:
        raise DeclarationError(f"{where}: tolerance must be a number or a mapping unit -> number")
    row_kinds = _as_tuple(decl.get("row_kinds", ("village", "total")), where, "row_kinds")
    if set(row_kinds) - set(ROW_KINDS):
        raise DeclarationError(f"{where}: row_kinds must be among {ROW_KINDS}")
    relation = None
    if "relation" in decl:
        try:
            relation = parse_relation(str(decl["relation"]), known_codes=catalog.indicators)
        except RelationError as exc:
            raise DeclarationError(f"{where}: {exc}") from exc
        if set(relation.codes) != set(codes):
            raise DeclarationError(
                f"{where}: indicators {sorted(codes)} differ from the codes of the relation {sorted(relation.codes)}"
            )
        if isinstance(tol, dict):
            raise DeclarationError(f"{where}: a relation takes one tolerance (a number)")
        if decl.get("params"):
            raise DeclarationError(f"{where}: params belong to a check, not a relation")
    anchor = decl.get("anchor")
    if anchor is not None and anchor not in codes:
        raise DeclarationError(f"{where}: anchor {anchor!r} is not among the rule's indicators")
    params = decl.get("params") or {}
    if not isinstance(params, dict):
        raise DeclarationError(f"{where}: params must be a mapping")
    rule = Rule(
        id=str(decl["id"]),
        family=decl["family"],
        severity=decl["severity"],
        message=str(decl["message"]).strip(),
        indicators=codes,
        relation=relation,
        check=decl.get("check"),
        params=dict(params),
        tolerance=tol,
        row_kinds=row_kinds,
        anchor=anchor,
        description=str(decl.get("description", "")).strip(),
        source=source,
    )
    if rule.check is not None:
        from huizong.dq.templates import validate_params

        validate_params(rule, where)
    return rule


def load_rules(rules_dir: Path = RULES_DIR, catalog: Catalog | None = None) -> list[Rule]:
    """Every declaration of every ``*.yml`` / ``*.yaml`` file in ``rules_dir`` (sorted by file)."""
    catalog = catalog or default_catalog()
    rules_dir = Path(rules_dir)
    if not rules_dir.is_dir():
        raise DeclarationError(f"{rules_dir}: no such rules directory")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in sorted([*rules_dir.glob("*.yml"), *rules_dir.glob("*.yaml")]):
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh) or {}
        if not isinstance(doc, dict) or not isinstance(doc.get("rules", []), list):
            raise DeclarationError(f"{path.name}: expected a mapping with a 'rules:' list")
        for decl in doc.get("rules") or []:
            rule = parse_declaration(decl, catalog, path.name)
            if rule.id in seen:
                raise DeclarationError(f"{path.name}: rule id {rule.id!r} already declared in {seen[rule.id]}")
            seen[rule.id] = path.name
            rules.append(rule)
    return rules
