"""The block above a form's column header: 表号, 填报单位, period, 计量单位, 制定机关, and the
footer's 报出日期."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from huizong.catalog import Catalog
from huizong.ingest.text import cell_text, fast_compact, fast_simplify

_DATE_LABELS = re.compile(r"(有效期至|有效期|报出日期|截至|截止|填报日期|日期)[:]?\d{4}年(\d{1,2}月)?(\d{1,2}日)?")
_REPORT_DATE = re.compile(r"报出日期[:]?(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})日?")
_ANY_DATE = re.compile(r"^(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})日?")


@dataclass
class HeaderInfo:
    table_no: str | None = None
    unit_text: str | None = None  # 填报单位 as written
    period: str | None = None
    declared_units: tuple[str, ...] = ()
    issuer: str | None = None


_LABEL_START = re.compile(r"\s*(?=(?:表号|制定机关|批准机关|批准文号|有效期至|填报单位|计量单位|报出日期)\s*[:：]?)")


def segments(text: str) -> list[str]:
    """Parts of a cell that holds several header items (``表号:扶贫2表　　制定机关:...``):
    split on runs of spaces, and before every header label even when a single space (or
    none) separates it from the item before."""
    out = []
    for part in re.split(r"\s{2,}", fast_simplify(text).strip()):
        out.extend(p for p in _LABEL_START.split(part) if p.strip())
    return out


def split_unit_text(value: str, catalog: Catalog) -> tuple[str, str]:
    """``胜源乡(450101200)2018年1-6月`` -> (``胜源乡(450101200)``, ``2018年1-6月``): the
    reporting unit, and whatever follows it in the same segment (a period)."""
    cut = len(value)
    for pattern, _ in catalog.period_patterns:
        m = pattern.search(value)
        if m and m.start() < cut and m.start() > 0:
            cut = m.start()
    return value[:cut], value[cut:]


def _after_label(seg: str, label: str) -> str | None:
    c = fast_compact(seg)
    i = c.find(label)
    if i < 0:
        return None
    return c[i + len(label) :].lstrip(":")


def parse_period(text: str, catalog: Catalog) -> list[tuple[str, bool]]:
    """Periods named in ``text``: ``(period_id, exact)`` where exact means the whole segment
    is the period (``2018年1-6月``) rather than a mention inside a title."""
    found = []
    for seg in segments(text) or [text]:
        c = _DATE_LABELS.sub("", fast_compact(seg))
        for pattern, kind in catalog.period_patterns:
            m = pattern.search(c)
            if m:
                year = m.group(1)
                period = year if kind == "YYYY" else f"{year}{kind[4:]}"
                found.append((period, m.group(0) == c))
                break
    return found


@dataclass(frozen=True)
class _Segment:
    """What one header segment says (each field None when the label is absent)."""

    table_no: str | None
    unit: tuple[str, tuple] | None  # (unit text, periods written after it)
    decl: str | None
    issuer: str | None
    periods: tuple  # the segment read as a period


_SEGMENTS: dict[int, tuple[Catalog, dict[str, tuple[_Segment, ...]]]] = {}


def _cell_segments(text: str, catalog: Catalog) -> tuple[_Segment, ...]:
    """The segments of a header cell, read once per catalog (the catalog is kept with its
    memo, so its id cannot be reused by another)."""
    entry = _SEGMENTS.get(id(catalog))
    if entry is None or entry[0] is not catalog:
        entry = _SEGMENTS[id(catalog)] = (catalog, {})
    memo = entry[1]
    hit = memo.get(text)
    if hit is None:
        out = []
        for seg in segments(text):
            unit = _after_label(seg, "填报单位")
            if unit is not None:
                v, rest = split_unit_text(unit, catalog)
                unit = (v, tuple(parse_period(rest, catalog)) if rest else ())
            out.append(_Segment(_after_label(seg, "表号"), unit, _after_label(seg, "计量单位"), _after_label(seg, "制定机关"),
                                tuple(parse_period(seg, catalog))))
        if len(memo) > 50000:
            memo.clear()
        hit = memo[text] = tuple(out)
    return hit


def scan_header(rows: list[list[Any]], until: int, catalog: Catalog) -> HeaderInfo:
    info = HeaderInfo()
    periods: list[tuple[str, bool]] = []
    for r in range(min(until, len(rows))):
        row = rows[r]
        for c, value in enumerate(row):
            if type(value) is not str:
                continue  # header items are text (a number or a date cell is not one)
            if not value.strip():
                continue
            for seg in _cell_segments(value, catalog):
                if info.table_no is None and seg.table_no is not None:
                    info.table_no = seg.table_no or _next_text(row, c)
                    continue
                if info.unit_text is None and seg.unit is not None:
                    v, rest_periods = seg.unit
                    periods.extend(rest_periods)
                    info.unit_text = v or _next_text(row, c)
                    continue
                if info.declared_units == () and seg.decl is not None:
                    v = seg.decl or _next_text(row, c) or ""
                    info.declared_units = tuple(u for u in re.split(r"[、,，/;；]", v) if u)
                    continue
                if info.issuer is None and seg.issuer is not None:
                    info.issuer = seg.issuer or _next_text(row, c)
                    continue
                periods.extend(seg.periods)
    exact = [p for p, e in periods if e]
    chosen = exact or [p for p, _ in periods]
    info.period = chosen[0] if chosen else None
    return info


def _next_text(row: list[Any], c: int) -> str | None:
    for value in row[c + 1 :]:
        text = fast_compact(cell_text(value))
        if text:
            return text
    return None


def find_report_date(rows: list[list[Any]], start: int) -> dt.date | None:
    """``报出日期`` in footer text, or as a date cell (or date text) beside its label."""
    for r in range(len(rows) - 1, max(start, 0) - 1, -1):
        row = rows[r]
        for c, value in enumerate(row):
            if type(value) is not str or "期" not in value:
                continue  # the label is text with 期 (报出日期, 報出日期, 报 出 日 期)
            text = fast_compact(value)
            if "报出日期" not in text:
                continue
            m = _REPORT_DATE.search(text)
            if m:
                return _date(m.group(1), m.group(2), m.group(3))
            for other in row[c + 1 :]:
                if isinstance(other, dt.datetime):
                    return other.date()
                if isinstance(other, dt.date):
                    return other
                if isinstance(other, (int, float)) and 20000 < other < 80000:  # Excel serial day
                    return dt.date(1899, 12, 30) + dt.timedelta(days=int(other))
                m = _ANY_DATE.match(fast_compact(cell_text(other)))
                if m:
                    return _date(m.group(1), m.group(2), m.group(3))
    return None


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None
