"""One reported cell to a number in the indicator's canonical unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from huizong.catalog import Catalog, Indicator
from huizong.ingest.header import cell_text
from huizong.ingest.text import fast_compact
from huizong.normalize import _NUMBER, _TRAILING_UNITS, BLANK_MARKERS, compact, is_blank_marker, parse_number

FLAG_YES = frozenset({"是", "y", "yes", "1", "√", "true", "贫困村"})
FLAG_NO = frozenset({"否", "n", "no", "0", "×", "false", "非贫困村"})


@dataclass(frozen=True)
class CellValue:
    raw_text: str
    value: float | None  # None: not a number (kept for the bounds rule) or not reported
    blank: bool  # empty or a blank marker


def unit_factor(catalog: Catalog, ind: Indicator, label_unit: str, sheet_units: tuple[str, ...]) -> float:
    """How a column's numbers convert to the indicator's unit. A declaration of another unit
    wins over the template's printed one: a column labelled ``(元)``, or a sheet whose
    计量单位 says 元 and not 万元 (even under a printed ``(万元)`` label), is in 元."""
    if ind.kind in ("ratio", "flag"):
        return 1.0
    if label_unit:
        f = catalog.factor(label_unit, ind.unit)
        if f is not None and f != 1.0:
            return f
    if ind.unit not in sheet_units:
        for unit in sheet_units:
            f = catalog.factor(unit, ind.unit)
            if f is not None and f != 1.0:
                return f
    return 1.0


def parse_cell(
    value: Any, ind: Indicator, factor: float, percent_format: bool, catalog: Catalog, total: bool = False
) -> CellValue:
    """``total``: the cell is in a 合计 row, where a flag column holds the number of villages
    flagged 是 (a count), not a 是/否."""
    raw = cell_text(value)
    if value is None or raw.strip() == "" or (isinstance(value, str) and is_blank_marker(value)):
        zero = ind.kind in ("stock", "flow", "target")
        return CellValue(raw, 0.0 if zero else None, True)
    if ind.kind == "flag" and total:
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else parse_number(raw)[0]
        return CellValue(raw, number, False)
    if ind.kind == "flag":
        key = compact(raw).lower()
        if key in FLAG_YES:
            return CellValue(raw, 1.0, False)
        if key in FLAG_NO:
            return CellValue(raw, 0.0, False)
        return CellValue(raw, None, False)
    if isinstance(value, bool):
        return CellValue(raw, None, False)
    if isinstance(value, (int, float)):
        number, is_pct_text, text_unit = float(value), False, ""
    else:
        number, is_pct_text, text_unit = parse_number(raw)
        if number is None:
            return CellValue(raw, None, False)
    return _in_unit(raw, number, is_pct_text, text_unit, ind, factor, percent_format, catalog)


def _in_unit(raw: str, number: float, is_pct_text: bool, text_unit: str, ind: Indicator, factor: float,
             percent_format: bool, catalog: Catalog) -> CellValue:
    """A parsed number in the indicator's canonical unit."""
    if ind.is_percent:
        if percent_format and not is_pct_text:
            number *= 100.0  # a fraction shown as a percentage: 0.764 -> 76.4
        return CellValue(raw, number, False)
    if text_unit and text_unit != ind.unit:
        # ``2641600元`` in a 万元 column: the typed unit says what the number is in. The
        # form's own unit typed after a number (``167700万元`` in a sheet declared 元) is the
        # printed template's and does not override the declaration.
        f = catalog.factor(text_unit, ind.unit)
        if f is not None:
            return CellValue(raw, number * f, False)
    return CellValue(raw, number * factor, False)


_NUMERIC_KINDS = frozenset({"stock", "flow", "target", "wmean"})


_FLOAT_TEXT: dict[float, str] = {}


def _float_text(v: float) -> str:
    """``cell_text`` of a float (integers without ``.0``), remembered: figures repeat."""
    t = _FLOAT_TEXT.get(v)
    if t is None:
        t = str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
        if len(_FLOAT_TEXT) > 100000:
            _FLOAT_TEXT.clear()
        _FLOAT_TEXT[v] = t
    return t


def parse_text(value: str, ind: Indicator, factor: float, percent_format: bool, catalog: Catalog, total: bool = False) -> CellValue:
    """``parse_cell`` for a text cell, normalising the text once (and without OpenCC when
    nothing in it could be traditional)."""
    c = fast_compact(value)
    if not value.strip() or c in BLANK_MARKERS or set(c) <= {"-"}:
        return CellValue(value, 0.0 if ind.kind in ("stock", "flow", "target") else None, True)
    if ind.kind == "flag" and not total:
        key = c.lower()
        return CellValue(value, 1.0 if key in FLAG_YES else 0.0 if key in FLAG_NO else None, False)
    t = c.replace(",", "")
    unit = ""
    for suffix in _TRAILING_UNITS:
        if t.endswith(suffix) and len(t) > len(suffix):
            unit, t = suffix, t[: -len(suffix)]
            break
    if not _NUMBER.match(t):
        return CellValue(value, None, False)
    number, is_pct_text, text_unit = float(t), unit == "%", unit
    if ind.kind == "flag":  # a 合计 row's count
        return CellValue(value, number, False)
    return _in_unit(value, number, is_pct_text, text_unit, ind, factor, percent_format, catalog)


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# Parsed texts, shared by every column of every sheet of a process: (text, the column's tag
# (indicator definition, factor, catalog), percent format, total row) -> (raw_text, value, blank).
_TEXT_CACHE: dict[tuple, tuple[str, float | None, bool]] = {}


class ColumnParser:
    """The cells of one indicator column, parsed exactly as ``parse_cell`` would, but
    cheaply: numbers (and plain ASCII figures in text) take a short path, and every other
    distinct text is parsed once."""

    __slots__ = ("ind", "factor", "catalog", "kind", "percent", "code", "numeric", "tag")

    def __init__(self, ind: Indicator, factor: float, catalog: Catalog):
        self.ind, self.factor, self.catalog = ind, factor, catalog
        self.kind = ind.kind
        self.percent = ind.is_percent
        self.code = ind.code
        self.numeric = ind.kind in _NUMERIC_KINDS  # a float is the value times the factor
        # what a text's reading depends on, as one (hash-cached) string
        self.tag = f"{ind!r}|{factor!r}|{id(catalog)}"

    def _number(self, raw: str, value: float, percent_format: bool, total: bool) -> tuple[str, float | None, bool]:
        kind = self.kind
        if kind in _NUMERIC_KINDS:
            return raw, value * self.factor, False
        if kind == "ratio":
            if self.percent:
                return raw, (value * 100.0 if percent_format else value), False
            return raw, value * self.factor, False
        if total:  # a flag column's 合计: the number flagged 是
            return raw, value, False
        key = raw.replace(" ", "")
        return raw, (1.0 if key == "1" else 0.0 if key == "0" else None), False

    def parse(self, value: Any, percent_format: bool = False, total: bool = False) -> tuple[str, float | None, bool]:
        """(raw_text, value, blank) of one cell."""
        t = type(value)
        if t is float:
            return self._number(_float_text(value), value, percent_format, total)
        if t is str:
            if value.isascii():
                stripped = value.strip()
                if _PLAIN_NUMBER.fullmatch(stripped):
                    if self.kind == "flag" and not total and stripped not in ("0", "1"):
                        return value, None, False
                    return self._number(value, float(stripped), percent_format, total)
            key = (value, self.tag, percent_format, total)
            hit = _TEXT_CACHE.get(key)
            if hit is None:
                if len(_TEXT_CACHE) > 200000:
                    _TEXT_CACHE.clear()
                cv = parse_text(value, self.ind, self.factor, percent_format, self.catalog, total=total)
                hit = _TEXT_CACHE[key] = (cv.raw_text, cv.value, cv.blank)
            return hit
        cv = parse_cell(value, self.ind, self.factor, percent_format, self.catalog, total=total)
        return cv.raw_text, cv.value, cv.blank
