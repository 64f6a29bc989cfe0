"""One sheet of a submission to a parsed form: header block, columns, rows and cells."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any

from huizong.catalog import Catalog
from huizong.ingest.columns import TOTAL_LABELS, ColumnMap, find_header_row, map_columns
from huizong.ingest.header import cell_text, find_report_date, scan_header
from huizong.ingest.text import ctext, is_empty
from huizong.ingest.units import resolver_for
from huizong.ingest.values import _FLOAT_TEXT, ColumnParser, _float_text, unit_factor
from huizong.ingest.workbook import Grid
from huizong.normalize import compact
from huizong.registry import Area, Registry, code12, name_keys

_FOOTER = re.compile(r"^(注|说明|备注)[:]?|单位负责人|统计负责人|填表人|报出日期|审核人")
_CODE = re.compile(r"\d{9}|\d{12}")


class NotAForm(Exception):
    """The sheet carries no 表号: 填表说明, an empty sheet, a roster. Skipped."""


class SheetRejected(ValueError):
    """The sheet is a form but cannot be used; the message says why."""


@dataclass
class ParsedCell:
    cell: str
    indicator_code: str
    raw_text: str
    value: float | None


@dataclass
class ParsedRow:
    row_number: int  # 1-based, as Excel shows it
    row_kind: str  # village | total | county (FPT rows)
    name_raw: str
    code_raw: str
    area_code: str | None
    reported: bool
    # The row's figures, aligned with ``columns`` (the sheet's (letter, indicator) pairs);
    # empty when the row is not reported.
    raw: list[str] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)
    columns: tuple[tuple[str, str], ...] = ()

    @property
    def cells(self) -> list[ParsedCell]:
        n = self.row_number
        return [ParsedCell(f"{L}{n}", code, t, v) for (L, code), t, v in zip(self.columns, self.raw, self.values)]


@dataclass
class ParsedSheet:
    sheet_name: str
    form_code: str
    period: str
    reporter: Area
    report_date: dt.date | None
    declared_units: tuple[str, ...]
    issuer: str | None
    rows: list[ParsedRow]
    columns: dict[str, str]  # indicator code -> column letter

    @property
    def n_cells(self) -> int:
        return sum(len(r.values) for r in self.rows)

    def content_hash(self) -> str:
        """What the sheet says, independent of where it says it (conflict detection), as a
        digest: the indicators in code order, and per row its kind, area (or name) and figures
        in that order (a blank figure by its raw text), rows in any order."""
        columns = next((r.columns for r in self.rows if r.columns), ())
        order = sorted(range(len(columns)), key=lambda i: columns[i][1])
        pack = struct.Struct(f"<{len(order)}d").pack
        keys = []
        for r in self.rows:
            vals = r.values
            if not vals:
                continue
            nums = [vals[i] for i in order]
            extra = b""
            if None in nums:
                extra = "\x00".join(r.raw[i] for i in order if vals[i] is None).encode()
                nums = [math.nan if x is None else x for x in nums]
            keys.append(f"{r.row_kind}\x00{r.area_code or compact(r.name_raw)}\x00".encode() + pack(*nums) + extra)
        keys.sort()
        head = "|".join(columns[i][1] for i in order).encode()
        return hashlib.sha1(head + b"\x01" + b"\x01".join(keys)).hexdigest()


def col_letter(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def _code_text(value: Any) -> str:
    text = ctext(value)
    return text if _CODE.fullmatch(text) else ""


def parse_grid(grid: Grid, catalog: Catalog, registry: Registry) -> ParsedSheet:
    rows = grid.rows
    if not rows:
        raise NotAForm
    # The 表号 and the rest of the header block sit above the column header.
    found = find_header_row(rows)
    info = scan_header(rows, found[0] if found else min(len(rows), 40), catalog)
    if info.table_no is None:
        raise NotAForm
    form = catalog.form_by_table_no(compact(info.table_no))
    if form is None:
        raise SheetRejected(f"unknown 表号 {info.table_no!r}")
    cmap = map_columns(rows, grid.merged, catalog, form.code, found=found)
    if cmap is None:
        raise SheetRejected(f"{form.table_no}: no column header (村名称/单位名称) found")
    if not cmap.indicators:
        raise SheetRejected(f"{form.table_no}: no column matches an indicator of the form")
    if info.period is None:
        raise SheetRejected(f"{form.table_no}: no period (e.g. 2018年1-6月) in the header")
    kind = "YYYY" if info.period.isdigit() else "YYYY" + info.period[4:]
    if kind not in form.periods:
        raise SheetRejected(f"{form.table_no} is not reported for period {info.period} (only {', '.join(form.periods)})")
    year = int(info.period[:4])

    resolver = resolver_for(registry)
    data_rows = _data_rows(rows, cmap)
    reporter = _resolve_reporter(info.unit_text, rows, data_rows, cmap, resolver, year, form.code)
    if reporter is None:
        written = info.unit_text or "(no 填报单位)"
        raise SheetRejected(f"{form.table_no}: reporting unit {written!r} is not in the registry for {year}")
    member_level = "county" if form.code == "FPT" else "village"
    index = resolver.village_index(reporter.code, year) if member_level == "village" else resolver.county_index(reporter.code, year)
    valid_codes = set(index.values())

    columns = tuple((col_letter(c), ind.code) for c, (ind, _) in cmap.indicators.items())
    percent = grid.percent_cells
    parsers = []
    for c, (ind, label_unit) in cmap.indicators.items():
        factor = unit_factor(catalog, ind, label_unit, info.declared_units)
        p = ColumnParser(ind, factor, catalog)
        parsers.append((c, p, bool(percent) and ind.kind == "ratio", p.numeric, factor))
    name_col, code_col = cmap.name_col, cmap.code_col

    parsed_rows = []
    for r, is_total in data_rows:
        row = rows[r]
        n = len(row)
        name = cell_text(row[name_col]).strip() if name_col < n else ""
        code = _code_text(row[code_col]) if code_col is not None and code_col < n else ""
        if is_total:
            area_code = reporter.code
            row_kind = "total"
            name = name or "合计"
        else:
            row_kind = member_level
            area_code = None
            if code and code12(code) in valid_codes:
                area_code = code12(code)
            else:
                for key in name_keys(name):
                    if key in index:
                        area_code = index[key]
                        break
        raws: list[str] = []
        values: list[float | None] = []
        all_blank = True
        for c, parser, pct, numeric, factor in parsers:
            v = row[c] if c < n else None
            if numeric and type(v) is float:  # the common case, inline
                raws.append(_FLOAT_TEXT.get(v) or _float_text(v))
                values.append(v * factor)
                all_blank = False
                continue
            raw, value, blank = parser.parse(v, pct and (r, c) in percent, is_total)
            if not blank:
                all_blank = False
            raws.append(raw)
            values.append(value)
        if all_blank:
            parsed_rows.append(ParsedRow(r + 1, row_kind, name, code, area_code, False, [], [], columns))
        else:
            parsed_rows.append(ParsedRow(r + 1, row_kind, name, code, area_code, True, raws, values, columns))
    return ParsedSheet(
        sheet_name=grid.name,
        form_code=form.code,
        period=info.period,
        reporter=reporter,
        report_date=find_report_date(rows, cmap.first_data_row),
        declared_units=info.declared_units,
        issuer=info.issuer,
        rows=parsed_rows,
        columns={code: letter for letter, code in columns},
    )


def _is_total_row(row: list[Any], name_col: int) -> bool:
    """A 合计/总计 label in the columns up to the name column (labels are non-ASCII text)."""
    for v in row[: name_col + 1]:
        if type(v) is str and v and not v.isascii() and ctext(v) in TOTAL_LABELS:
            return True
    return False


def _data_rows(rows: list[list[Any]], cmap: ColumnMap) -> list[tuple[int, bool]]:
    """(row index, is a 合计 row) of every data row, up to the footer."""
    out = []
    name_col = cmap.name_col
    for r in range(cmap.first_data_row, len(rows)):
        row = rows[r]
        first = None
        for v in row:
            if not is_empty(v):
                first = v
                break
        if first is None:
            continue
        total = _is_total_row(row, name_col)
        if type(first) is str and not total and _FOOTER.search(ctext(first)):
            break
        if not total and (name_col >= len(row) or is_empty(row[name_col])):
            continue
        out.append((r, total))
    return out


def _resolve_reporter(unit_text, rows, data_rows, cmap, resolver, year: int, form_code: str) -> Area | None:
    levels = ("city", "province", "county") if form_code == "FPT" else ("township",)
    if unit_text:
        area = resolver.resolve_unit(unit_text, year, levels)
        if area is not None:
            return area
    # No usable 填报单位: the 合计 row may carry the township's code.
    for r, total in data_rows:
        row = rows[r]
        if total:
            for value in row:
                code = _code_text(value)
                if code:
                    area = resolver.area(code12(code), year)
                    if area is not None and area.level in levels and not unit_text:
                        return area
    return None
