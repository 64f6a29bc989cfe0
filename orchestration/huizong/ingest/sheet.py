"""One sheet of a submission to a parsed form: header block, columns, rows and cells."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from huizong.catalog import Catalog
from huizong.ingest.columns import TOTAL_LABELS, ColumnMap, map_columns
from huizong.ingest.header import cell_text, find_report_date, scan_header
from huizong.ingest.values import parse_cell, unit_factor
from huizong.ingest.workbook import Grid
from huizong.normalize import compact
from huizong.registry import Area, Registry, code12, name_keys

_FOOTER = re.compile(r"^(注|说明|备注)[:]?|单位负责人|统计负责人|填表人|报出日期|审核人")


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
    cells: list[ParsedCell] = field(default_factory=list)


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

    def content_key(self) -> tuple:
        """What the sheet says, independent of where it says it (conflict detection)."""
        return tuple(
            sorted(
                (r.row_kind, r.area_code or compact(r.name_raw), c.indicator_code, c.value if c.value is not None else c.raw_text)
                for r in self.rows
                for c in r.cells
            )
        )


def col_letter(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def _code_text(value: Any) -> str:
    text = compact(cell_text(value))
    return text if re.fullmatch(r"\d{9}|\d{12}", text) else ""


def parse_grid(grid: Grid, catalog: Catalog, registry: Registry) -> ParsedSheet:
    rows = grid.rows
    if not rows:
        raise NotAForm
    header_probe = min(len(rows), 40)
    info = scan_header(rows, header_probe, catalog)
    if info.table_no is None:
        raise NotAForm
    form = catalog.form_by_table_no(compact(info.table_no))
    if form is None:
        raise SheetRejected(f"unknown 表号 {info.table_no!r}")
    cmap = map_columns(rows, grid.merged, catalog, form.code)
    if cmap is None:
        raise SheetRejected(f"{form.table_no}: no column header (村名称/单位名称) found")
    if not cmap.indicators:
        raise SheetRejected(f"{form.table_no}: no column matches an indicator of the form")
    info = scan_header(rows, cmap.header_row, catalog)
    if info.period is None:
        raise SheetRejected(f"{form.table_no}: no period (e.g. 2018年1-6月) in the header")
    kind = "YYYY" if info.period.isdigit() else "YYYY" + info.period[4:]
    if kind not in form.periods:
        raise SheetRejected(f"{form.table_no} is not reported for period {info.period} (only {', '.join(form.periods)})")
    year = int(info.period[:4])

    data_rows = _data_rows(rows, cmap)
    reporter = _resolve_reporter(info.unit_text, rows, data_rows, cmap, registry, year, form.code)
    if reporter is None:
        written = info.unit_text or "(no 填报单位)"
        raise SheetRejected(f"{form.table_no}: reporting unit {written!r} is not in the registry for {year}")
    member_level = "county" if form.code == "FPT" else "village"
    index = _member_index(registry, reporter, year, member_level)
    valid_codes = set(index.values())

    parsed_rows = []
    for r in data_rows:
        row = rows[r]
        name = cell_text(row[cmap.name_col]).strip() if cmap.name_col < len(row) else ""
        code = _code_text(row[cmap.code_col]) if cmap.code_col is not None and cmap.code_col < len(row) else ""
        leading = {compact(cell_text(v)) for v in row[: cmap.name_col + 1]}
        is_total = bool(leading & TOTAL_LABELS)
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
        cells = []
        all_blank = True
        for c, (ind, label_unit) in cmap.indicators.items():
            value = row[c] if c < len(row) else None
            factor = unit_factor(catalog, ind, label_unit, info.declared_units)
            cv = parse_cell(value, ind, factor, (r, c) in grid.percent_cells, catalog, total=is_total)
            all_blank &= cv.blank
            cells.append(ParsedCell(f"{col_letter(c)}{r + 1}", ind.code, cv.raw_text, cv.value))
        parsed_rows.append(
            ParsedRow(r + 1, row_kind, name, code, area_code, reported=not all_blank, cells=[] if all_blank else cells)
        )
    return ParsedSheet(
        sheet_name=grid.name,
        form_code=form.code,
        period=info.period,
        reporter=reporter,
        report_date=find_report_date(rows, cmap.first_data_row),
        declared_units=info.declared_units,
        issuer=info.issuer,
        rows=parsed_rows,
        columns={ind.code: col_letter(c) for c, (ind, _) in cmap.indicators.items()},
    )


def _data_rows(rows: list[list[Any]], cmap: ColumnMap) -> list[int]:
    out = []
    for r in range(cmap.first_data_row, len(rows)):
        row = rows[r]
        texts = [compact(cell_text(v)) for v in row]
        if not any(texts):
            continue
        first = next(t for t in texts if t)
        if _FOOTER.search(first) and not any(t in TOTAL_LABELS for t in texts[: cmap.name_col + 1]):
            break
        name = texts[cmap.name_col] if cmap.name_col < len(texts) else ""
        leading = set(texts[: cmap.name_col + 1])
        if not name and not (leading & TOTAL_LABELS):
            continue
        out.append(r)
    return out


def _resolve_reporter(unit_text, rows, data_rows, cmap, registry: Registry, year: int, form_code: str) -> Area | None:
    levels = ("city", "province", "county") if form_code == "FPT" else ("township",)
    if unit_text:
        area = registry.resolve_unit(unit_text, year, levels)
        if area is not None:
            return area
    # No usable 填报单位: the 合计 row may carry the township's code.
    for r in data_rows:
        row = rows[r]
        leading = {compact(cell_text(v)) for v in row[: cmap.name_col + 1]}
        if leading & TOTAL_LABELS:
            for value in row:
                code = _code_text(value)
                if code:
                    area = registry.area(code12(code), year)
                    if area is not None and area.level in levels and not unit_text:
                        return area
    return None


def _member_index(registry: Registry, reporter: Area, year: int, level: str) -> dict[str, str]:
    if level == "village":
        return registry.village_index(reporter.code, year)
    index: dict[str, str] = {}
    for county in registry.children(reporter.code, year, "county"):
        for key in name_keys(county.name):
            index[key] = county.code
    return index
