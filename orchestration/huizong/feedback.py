"""退回修改通知: one feedback workbook per township with findings, ready to send back.

    from huizong.feedback import write_feedback
    paths = write_feedback(con, exports_dir / "退回修改通知")      # -> the workbooks written

Reads ``marts.dq_issues``, ``marts.dim_area`` (and ``marts.dim_indicator`` for an indicator
the catalog does not know), the catalog (forms' 表号 and titles, indicator labels) and, for
the notice's date, ``raw.submissions.report_date`` (else ``raw.files.read_at``). Writes
nothing in the warehouse.

Decisions:
- A finding belongs to ``dq_issues.township_code``, else to the township of its area in the
  registry (the area's span valid in the finding's year, else its latest span); a finding at
  a township is its own. Findings above the township level (county or city targets) have no
  township and get no notice.
- File: ``<out_dir>/<township_code>_<township name>_退回修改通知.xlsx`` (the latest name of
  the township in the registry; characters a file name cannot hold replaced by ``_``).
  Every other file of that pattern in ``out_dir`` is removed: a township without findings
  has no notice, and a renamed township keeps only its new file.
- Sheet: title, addressee and a preamble (numbers of 错误 and 提示, the periods and forms
  concerned, what to do, the deadline), the table, then 联系人/联系电话 lines to fill in and
  the sender (the township's county + the catalog's ``issuer_suffix``, e.g. ``石坪县统计局``;
  ``office=`` overrides) with the date.
- Rows: errors first, then by form (catalog order), period, area code, cell (row, then
  column), rule. 问题说明 is the Chinese part of the finding's message without the leading
  ``name(code) period`` (already in their own columns); form codes and half-year periods in
  it are written as ``扶贫1表`` and ``2018年1-6月``. 原文件 is the file name; the folder
  inside the inbox is shown only when two files of one notice share a name.
- Figures are numbers, shown with the indicator's decimals, more when the value has them
  (a count of 8.5 reads 8.5, not 9), at most 4. For a warning the second figure is a
  reference (last year, peers' median, a bound), hence the header ``应为/参考值``.
- Deterministic: the date is ``as_of`` or the data's latest 报出日期, the workbook's
  document dates are that day and the zip entries carry it too, so the same warehouse gives
  the same bytes.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from huizong.catalog import Catalog, default_catalog
from huizong.duck import column_or_null, table_columns
from huizong.export.text import (
    PERIOD_RE,
    date_in_words,
    display_width,
    number_format,
    period_in_words,
    round_value,
)
from huizong.export.xlsx import FONT_NAME
from huizong.xlsx_print import a4_landscape_fit_width

FAMILY_NAMES = {
    "balance": "平衡关系",
    "ratio": "比率",
    "standard": "标准",
    "bounds": "逻辑关系",
    "cross_form": "表间关系",
    "hierarchy": "上下级汇总",
    "cross_period": "期间关系",
    "completeness": "完整性",
    "plausibility": "合理性",
}
ERROR, WARNING = "错误", "提示"
FILE_SUFFIX = "_退回修改通知.xlsx"
FILE_RE = re.compile(r"^[0-9]+_.+_退回修改通知\.xlsx$")
SHEET_NAME = "退回修改通知"
MAX_DECIMALS = 4

# (header, width in Excel units, kind); kind: how the body cell is aligned and formatted
COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("序号", 5.0, "center"),
    ("严重程度", 6.5, "severity"),
    ("报表", 15.0, "wrap"),
    ("报告期", 12.5, "center"),
    ("村(社区)名称", 12.0, "wrap"),
    ("村(社区)代码", 14.0, "center"),
    ("审核类别", 10.0, "center"),
    ("指标", 20.0, "wrap"),
    ("填报值", 11.0, "number"),
    ("应为/参考值", 11.0, "number"),
    ("问题说明", 34.0, "wrap"),
    ("原文件", 16.0, "wrap"),
    ("工作表", 9.0, "wrap"),
    ("单元格", 7.5, "center"),
)
HEADERS = tuple(c[0] for c in COLUMNS)

LINE_HEIGHT = 13.5  # points per line of 10 pt 宋体, with CJK line spacing
_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_FONT = Font(name=FONT_NAME, size=10)
_FONT_BOLD = Font(name=FONT_NAME, size=10, bold=True)
_FONT_TITLE = Font(name=FONT_NAME, size=16, bold=True)
_FONT_TEXT = Font(name=FONT_NAME, size=11)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_ALIGN = {
    "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
    "severity": Alignment(horizontal="center", vertical="center"),
    "wrap": Alignment(horizontal="left", vertical="center", wrap_text=True),
    "number": Alignment(horizontal="right", vertical="center"),
    "header": Alignment(horizontal="center", vertical="center", wrap_text=True),
    "title": Alignment(horizontal="center", vertical="center"),
    "text": Alignment(horizontal="left", vertical="top", wrap_text=True),
    "left": Alignment(horizontal="left", vertical="center"),
    "right": Alignment(horizontal="right", vertical="center"),
}


# ----------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class FeedbackRow:
    severity: str  # "error" | "warning" (anything that is not an error is a warning)
    rule_id: str
    family: str
    form_code: str | None
    period: str | None
    area_code: str | None
    area_name: str
    indicator_codes: tuple[str, ...]
    observed: float | None
    expected: float | None
    message: str  # as in dq_issues
    source_file: str | None
    source_sheet: str | None
    source_cell: str | None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass
class TownshipFeedback:
    township_code: str
    township_name: str
    county_name: str
    city_name: str
    rows: list[FeedbackRow] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(r.is_error for r in self.rows)

    @property
    def warnings(self) -> int:
        return len(self.rows) - self.errors

    @property
    def file_name(self) -> str:
        return f"{self.township_code}_{safe_file_part(self.township_name)}{FILE_SUFFIX}"


@dataclass(frozen=True)
class _Span:
    name: str
    level: str
    township_code: str | None
    county_code: str | None
    city_code: str | None
    valid_from: int | None
    valid_to: int | None

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (self.valid_to is None or year <= self.valid_to)


class _Registry:
    def __init__(self, spans: dict[str, list[_Span]]):
        self.spans = spans  # each list ordered by valid_from, nulls first

    def span(self, code: str | None, period: str | None = None) -> _Span | None:
        spans = self.spans.get(code or "")
        if not spans:
            return None
        if period and PERIOD_RE.match(period):
            year = int(period[:4])
            for s in spans:
                if s.valid_in(year):
                    return s
        return spans[-1]

    def name(self, code: str | None, period: str | None = None) -> str:
        s = self.span(code, period)
        return s.name if s and s.name else ""




def _registry(con: duckdb.DuckDBPyConnection) -> _Registry:
    cols = table_columns(con, "marts", "dim_area")
    if not cols:
        raise RuntimeError("marts.dim_area is missing: build the marts before writing feedback")
    rows = con.execute(
        f"""select area_code, area_name, area_level, {column_or_null(cols, 'township_code')}, {column_or_null(cols, 'county_code')},
                   {column_or_null(cols, 'city_code')}, {column_or_null(cols, 'valid_from', 'integer')}, {column_or_null(cols, 'valid_to', 'integer')}
            from marts.dim_area order by area_code, valid_from nulls first, valid_to nulls last"""
    ).fetchall()
    spans: dict[str, list[_Span]] = {}
    for code, *rest in rows:
        spans.setdefault(code, []).append(_Span(*rest))
    return _Registry(spans)


def _indicator_labels(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> dict[str, tuple[str, str, int]]:
    """code -> (label, unit, decimals): the catalog's, then dim_indicator's for other codes."""
    out = {c: (i.label, i.unit, i.decimals) for c, i in catalog.indicators.items()}
    cols = table_columns(con, "marts", "dim_indicator")
    if {"indicator_code", "label"} <= cols:
        rows = con.execute(
            f"""select indicator_code, label, {column_or_null(cols, 'unit')}, {column_or_null(cols, 'decimals', 'integer')}
                from marts.dim_indicator order by 1"""
        ).fetchall()
        for code, label, unit, decimals in rows:
            if code and code not in out:
                out[code] = (label or "", unit or "", int(decimals) if decimals is not None else 0)
    return out


def notice_date(con: duckdb.DuckDBPyConnection) -> date | None:
    """The date of the notices: the latest 报出日期 the warehouse holds, else the day it last
    read a file; ``None`` when it knows neither."""
    if "report_date" in table_columns(con, "raw", "submissions"):
        value = con.execute("select max(try_cast(report_date as date)) from raw.submissions").fetchone()[0]
        if value is not None:
            return value
    if "read_at" in table_columns(con, "raw", "files"):
        value = con.execute("select max(read_at) from raw.files").fetchone()[0]
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
    return None


def _float(v) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def load_feedback(con: duckdb.DuckDBPyConnection, catalog: Catalog | None = None) -> list[TownshipFeedback]:
    """The findings of ``marts.dq_issues`` grouped by township, by township code; each
    township's rows in notice order."""
    catalog = catalog or default_catalog()
    cols = table_columns(con, "marts", "dq_issues")
    if not cols:
        raise RuntimeError("marts.dq_issues is missing: run the checks before writing feedback")
    reg = _registry(con)
    rows = con.execute(
        f"""select rule_id, family, severity, period, area_code, indicator_codes, observed, expected, message,
                   source_file, source_sheet, source_cell, {column_or_null(cols, 'form_code')}, {column_or_null(cols, 'township_code')}
            from marts.dq_issues"""
    ).fetchall()
    groups: dict[str, TownshipFeedback] = {}
    for (rule_id, family, severity, period, area_code, inds, observed, expected, message,
         src_file, src_sheet, src_cell, form_code, township_code) in rows:
        span = reg.span(area_code, period)
        township = township_code or (span.township_code if span else None)
        if not township and span is not None and span.level == "township":
            township = area_code
        if not township:
            continue  # a county's or city's own finding: no township to send it to
        codes = tuple(str(i) for i in (inds or ()) if i)
        if not form_code:
            form_code = next((catalog.indicators[c].form_code for c in codes if c in catalog.indicators), None)
        fb = groups.get(township)
        if fb is None:
            t = reg.span(township)  # the latest name
            county = reg.span(t.county_code) if t else None
            city = reg.span(t.city_code) if t else None
            fb = groups[township] = TownshipFeedback(
                township_code=township,
                township_name=(t.name if t and t.name else township),
                county_name=county.name if county else "",
                city_name=city.name if city else "",
            )
        fb.rows.append(
            FeedbackRow(
                severity="error" if (severity or "").strip().lower() == "error" else "warning",
                rule_id=rule_id or "", family=family or "", form_code=form_code, period=period,
                area_code=area_code, area_name=reg.name(area_code, period), indicator_codes=codes,
                observed=_float(observed), expected=_float(expected), message=message or "",
                source_file=src_file, source_sheet=src_sheet, source_cell=src_cell,
            )
        )
    form_order = {code: i for i, code in enumerate(catalog.forms)}
    for fb in groups.values():
        fb.rows.sort(key=lambda r: _row_key(r, form_order))
    return [groups[k] for k in sorted(groups)]


_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)$")
_ROWS_RE = re.compile(r"^([0-9]+)(?::[0-9]+)?$")


def _cell_key(cell: str | None) -> tuple[int, int, str]:
    """A cell in reading order: row, then column (``I9`` before ``C13``); a row range
    ``17:17`` as the row's first cell; anything else after."""
    text = (cell or "").strip()
    m = _CELL_RE.match(text)
    if m:
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + ord(ch) - 64
        return int(m.group(2)), col, text
    m = _ROWS_RE.match(text)
    if m:
        return int(m.group(1)), 0, text
    return 1 << 30, 0, text


def period_key(period: str | None) -> tuple:
    """Periods in the order they are reported: ``2017H1``, ``2017H2``, ``2017``, ``2018H1``;
    anything else after."""
    m = PERIOD_RE.match(period or "")
    if not m:
        return (1, period or "")
    return (0, int(m.group(1)), {"H1": 0, "H2": 1}.get(m.group(2), 2))


def _row_key(r: FeedbackRow, form_order: dict[str, int]):
    return (
        not r.is_error,
        form_order.get(r.form_code or "", len(form_order)), r.form_code or "~",
        period_key(r.period),
        r.area_code or "~",
        _cell_key(r.source_cell),
        r.source_file or "", r.source_sheet or "",
        r.rule_id, r.indicator_codes,
        r.observed if r.observed is not None else math.inf,
        r.expected if r.expected is not None else math.inf,
        r.message,
    )


# ----------------------------------------------------------------------------- text


_FILE_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_CJK = re.compile(r"[\u3400-\u9fff]")


def safe_file_part(text: str) -> str:
    return _FILE_UNSAFE.sub("_", text).strip().strip(".") or "_"


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def chinese_message(message: str, area_code: str | None = None, period: str | None = None,
                    catalog: Catalog | None = None) -> str:
    """The Chinese part of a bilingual finding message, for a township clerk:
    ``万家坝村(450121101204) 2018 平衡关系不符:...。 Balance failed: ...`` ->
    ``平衡关系不符:...。``; ``区划代码为空 / area code missing`` -> ``区划代码为空``.
    Form codes become 表号 and half-year periods words. A message with no Chinese is kept."""
    text = " ".join((message or "").split())
    if not _CJK.search(text):
        return text
    m = re.search(r"。\s*[A-Za-z]", text)
    if m:
        text = text[: m.start() + 1]
    elif " / " in text:
        zh, en = text.split(" / ", 1)
        if _CJK.search(zh) and not _CJK.search(en):
            en = re.sub(r"\s*\[[^\]]*\]$", "", en)
            value = en.split(": ", 1)[1] if ": " in en else ""
            text = zh + (f":{value}" if value else "")
    if area_code:
        prefix = re.match(r"^[^\s()（）]{1,40}[(（]" + re.escape(area_code) + r"[)）]\s*", text)
        if prefix and len(text) > prefix.end():
            text = text[prefix.end():]
            if period and text.startswith(period + " "):
                text = text[len(period) + 1:]
    # files by their name: the inbox's folders are the office's own filing
    text = re.sub(r"(?<![^\s(（:：;；,，])inbox/(?:[^/;；\[\]]+/)+", "", text)
    catalog = catalog or default_catalog()
    text = re.sub(
        r"(?<![0-9A-Za-z])(FP[0-9A-Z])(?![0-9A-Za-z])",
        lambda mm: catalog.forms[mm.group(1)].table_no if mm.group(1) in catalog.forms else mm.group(1),
        text,
    )
    text = re.sub(r"(?<![0-9A-Za-z])([0-9]{4}H[12])(?![0-9A-Za-z])", lambda mm: period_in_words(mm.group(1)), text)
    return text


def form_label(form_code: str | None, catalog: Catalog) -> str:
    """``扶贫1表`` and its title on a second line; the code itself for an unknown form."""
    if not form_code:
        return ""
    form = catalog.forms.get(form_code)
    return f"{form.table_no}\n{form.title}" if form else form_code


def indicator_text(codes: tuple[str, ...], labels: dict[str, tuple[str, str, int]]) -> str:
    lines = []
    for c in codes:
        label, unit, _ = labels.get(c, ("", "", 0))
        unit_part = f"({unit})" if unit and unit != "是/否" else ""
        lines.append(f"{c} {label}{unit_part}".strip())
    return "\n".join(lines)


def figure(value: float | None, decimals: int) -> tuple[Decimal | None, int]:
    """The figure as shown and its decimals: the indicator's, or more when the value has
    more (at most ``MAX_DECIMALS``), so a wrong 8.5 is not shown as the 9 it should be."""
    if value is None:
        return None, decimals
    shown = round_value(value, MAX_DECIMALS)
    places = max(0, -shown.normalize().as_tuple().exponent) if shown != 0 else 0
    places = max(decimals, min(places, MAX_DECIMALS))
    return round_value(value, places), places


def _source_names(rows: list[FeedbackRow]) -> dict[str, str]:
    """source_file -> what 原文件 shows: the file name, or the path inside the inbox when
    another file of this notice has the same name."""
    paths = sorted({r.source_file for r in rows if r.source_file})
    by_name: dict[str, set[str]] = {}
    for p in paths:
        by_name.setdefault(Path(p.replace("\\", "/")).name, set()).add(p)
    out = {}
    for p in paths:
        name = Path(p.replace("\\", "/")).name
        out[p] = name if len(by_name[name]) == 1 else re.sub(r"^inbox/", "", p.replace("\\", "/"))
    return out


def cell_text(cell: str | None) -> str:
    """The cell as a clerk reads it: ``D12``; a whole row ``17:17`` as ``第17行``."""
    text = (cell or "").strip()
    m = re.match(r"^([0-9]+):([0-9]+)$", text)
    if m:
        a, b = m.groups()
        return f"第{a}行" if a == b else f"第{a}-{b}行"
    return text


def _area_cell(r: FeedbackRow, fb: TownshipFeedback) -> str:
    name = r.area_name
    if r.area_code and r.area_code == fb.township_code:
        name = name or fb.township_name
        # a finding on one cell of the township's own row is on its 合计 row
        if _CELL_RE.match((r.source_cell or "").strip()):
            name += "(合计行)"
    return name


def table_rows(fb: TownshipFeedback, catalog: Catalog, labels: dict[str, tuple[str, str, int]]) -> list[list]:
    """The body of the notice's table: one list per finding, in the order of ``HEADERS``;
    figures as ``(Decimal, decimals)`` pairs, text as ``str``."""
    sources = _source_names(fb.rows)
    out = []
    for i, r in enumerate(fb.rows, start=1):
        decimals = next((labels[c][2] for c in r.indicator_codes if c in labels), 0)
        out.append([
            i,
            ERROR if r.is_error else WARNING,
            form_label(r.form_code, catalog),
            period_in_words(r.period) if r.period and PERIOD_RE.match(r.period) else (r.period or ""),
            _area_cell(r, fb),
            r.area_code or "",
            FAMILY_NAMES.get(r.family, r.family),
            indicator_text(r.indicator_codes, labels),
            figure(r.observed, decimals),
            figure(r.expected, decimals),
            chinese_message(r.message, r.area_code, r.period, catalog),
            sources.get(r.source_file or "", ""),
            r.source_sheet or "",
            cell_text(r.source_cell),
        ])
    return out


def _periods_text(fb: TownshipFeedback) -> str:
    periods = sorted({r.period for r in fb.rows if r.period and PERIOD_RE.match(r.period)}, key=period_key)
    return "、".join(period_in_words(p) for p in periods)


def _forms_text(fb: TownshipFeedback, catalog: Catalog) -> str:
    codes = {r.form_code for r in fb.rows if r.form_code}
    ordered = [c for c in catalog.forms if c in codes] + sorted(codes - set(catalog.forms))
    return "、".join(catalog.forms[c].table_no if c in catalog.forms else c for c in ordered)


def default_office(fb: TownshipFeedback, catalog: Catalog) -> str:
    suffix = next((f.issuer_suffix for f in catalog.forms.values() if f.issuer_suffix), "统计局")
    above = fb.county_name or fb.city_name
    return f"{above}{suffix}" if above else suffix


def preamble(fb: TownshipFeedback, catalog: Catalog, days: int) -> list[str]:
    """Two paragraphs: what was found, then what to do and by when."""
    scope = "；".join(f"{k}：{v}" for k, v in (("报告期", _periods_text(fb)), ("报表", _forms_text(fb, catalog))) if v)
    if fb.errors and fb.warnings:
        split = f"其中错误{fb.errors}处、提示{fb.warnings}处"
    else:
        split = "均为错误" if fb.errors else "均为提示"
    found = f"经审核，你单位报送的扶贫统计报表{f'（{scope}）' if scope else ''}中有{len(fb.rows)}处问题，{split}，详见下表。"
    todo = []
    if fb.errors:
        todo.append("“错误”为数据之间不符或不完整，须对照原始台账修改；")
    if fb.warnings:
        todo.append("“提示”为数据异常、可能有误，请核实，确有误的修改，无误的请书面说明情况"
                    "（提示的“应为/参考值”为比对用的上年数、同类村中位数或合理界限，不是应填的数）；")
    todo.append("“单元格”为你单位原报表中的位置。")
    todo.append(f"请于{days}日内核实修改后重新报送。")
    return [found, "".join(todo)]


# ----------------------------------------------------------------------------- the workbook


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` Excel units wide (CJK counts 2)."""
    room = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(display_width(line) / room)) for line in str(text).split("\n"))


def _text(cell, value: str) -> None:
    if not value:
        return  # an empty cell, not an empty string
    cell.value = _clean(value)
    cell.data_type = "s"  # text, even when it starts with = + - @


def build_workbook(fb: TownshipFeedback, *, catalog: Catalog, labels: dict[str, tuple[str, str, int]],
                   as_of: date | None, office: str | None = None, days: int = 5) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    n = len(COLUMNS)
    last = get_column_letter(n)
    widths = [w for _, w, _ in COLUMNS]
    total_width = sum(widths)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w

    def banner(row: int, value: str, font: Font, align: str, height: float, first: int = 1) -> None:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=n)
        c = ws.cell(row=row, column=first)
        _text(c, value)
        c.font, c.alignment = font, _ALIGN[align]
        ws.row_dimensions[row].height = height

    # -- title, addressee, preamble ----------------------------------------------------------
    banner(1, f"关于{fb.township_name}统计报表数据的退回修改通知", _FONT_TITLE, "title", 34)
    banner(2, f"{fb.township_name}：", _FONT_TEXT, "left", 20)
    row = 3
    for paragraph in preamble(fb, catalog, days):
        text = "　　" + paragraph
        banner(row, text, _FONT_TEXT, "text", _lines(text, total_width * 10 / 11) * 15.5 + 4)
        row += 1
    ws.row_dimensions[row].height = 8

    # -- the table ------------------------------------------------------------------------
    header_row = row + 1
    for j, (label, width, _) in enumerate(COLUMNS, start=1):
        c = ws.cell(row=header_row, column=j)
        _text(c, label)
        c.font, c.alignment, c.border, c.fill = _FONT_BOLD, _ALIGN["header"], _BORDER, _HEADER_FILL
    ws.row_dimensions[header_row].height = max(_lines(h, w) for h, w, _ in COLUMNS) * LINE_HEIGHT + 6

    body = table_rows(fb, catalog, labels)
    for i, values in enumerate(body):
        r = header_row + 1 + i
        lines = 1
        for j, (value, (_, width, kind)) in enumerate(zip(values, COLUMNS), start=1):
            c = ws.cell(row=r, column=j)
            c.border = _BORDER
            c.font = _FONT_BOLD if kind == "severity" and value == ERROR else _FONT
            c.alignment = _ALIGN[kind]
            if kind == "number":
                shown, places = value
                if shown is not None:
                    c.value = int(shown) if places == 0 else float(shown)
                    c.number_format = number_format(places)
                    lines = max(lines, _lines(f"{shown}", width))
            elif isinstance(value, int):
                c.value = value
            else:
                _text(c, value)
                c.number_format = "@"
                lines = max(lines, _lines(value, width))
        ws.row_dimensions[r].height = lines * LINE_HEIGHT + 5
    end = header_row + len(body)

    # -- contact lines and sender ---------------------------------------------------------------
    r = end + 2
    for label in ("联系人：", "联系电话："):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)
        c = ws.cell(row=r, column=1)
        _text(c, label + "＿" * 10)
        c.font, c.alignment = _FONT_TEXT, _ALIGN["left"]
        ws.row_dimensions[r].height = 22
        r += 1
    r += 1
    sender = office or default_office(fb, catalog)
    dated = date_in_words(as_of) if as_of else "　　年　　月　　日"
    for value in (sender, dated):
        ws.merge_cells(start_row=r, start_column=n - 3, end_row=r, end_column=n)
        c = ws.cell(row=r, column=n - 3)
        _text(c, value)
        c.font, c.alignment = _FONT_TEXT, Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[r].height = 22
        r += 1
    last_row = r - 1

    # -- view and print ---------------------------------------------------------------------
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:{last}{end}"
    ws.sheet_view.showGridLines = False
    a4_landscape_fit_width(ws)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:{last}{last_row}"
    ws.oddFooter.center.text = f"{fb.township_name}退回修改通知　第 &P 页，共 &N 页"

    wb.properties.creator = "huizong"
    wb.properties.title = f"关于{fb.township_name}统计报表数据的退回修改通知"
    stamp = datetime(as_of.year, as_of.month, as_of.day) if as_of else datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = stamp
    return wb


class _StampedZip(zipfile.ZipFile):
    """A zip whose entries all carry one fixed time, so equal content gives equal bytes."""

    def __init__(self, *args, stamp: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._stamp = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._stamp)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        return super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes each worksheet to a temporary file first: its mtime must not leak in
        with open(filename, "rb") as fh:
            data = fh.read()
        self.writestr(arcname or os.path.basename(filename), data, compress_type, compresslevel)


def save_workbook(wb: Workbook, path: Path) -> None:
    """Write atomically (a reader never sees half a file) and reproducibly (openpyxl's own
    save stamps the current time into the document and every zip entry)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        archive = _StampedZip(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True, stamp=wb.properties.created)
        ExcelWriter(wb, archive).save()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_feedback(
    con: duckdb.DuckDBPyConnection,
    out_dir: str | Path,
    *,
    as_of: date | None = None,
    office: str | None = None,
    days: int = 5,
    catalog: Catalog | None = None,
) -> list[Path]:
    """Write ``<out_dir>/<township_code>_<name>_退回修改通知.xlsx`` for every township with
    findings and remove the other files of that pattern from ``out_dir``. ``as_of``: the
    notice's date (default: the latest 报出日期 in the warehouse); ``office``: the sender
    (default: the township's county + 统计局); ``days``: the deadline. Returns the paths
    written, by township code."""
    catalog = catalog or default_catalog()
    out_dir = Path(out_dir).resolve()
    notices = load_feedback(con, catalog)
    labels = _indicator_labels(con, catalog)
    day = as_of if as_of is not None else notice_date(con)
    written: list[Path] = []
    for fb in notices:
        path = out_dir / fb.file_name
        save_workbook(build_workbook(fb, catalog=catalog, labels=labels, as_of=day, office=office, days=days), path)
        written.append(path)
    keep = set(written)
    if out_dir.is_dir():
        for f in sorted(out_dir.iterdir()):
            if f.is_file() and FILE_RE.match(f.name) and f not in keep:
                f.unlink()
    return written


__all__ = [
    "FAMILY_NAMES", "FILE_RE", "FILE_SUFFIX", "HEADERS", "FeedbackRow", "TownshipFeedback", "build_workbook",
    "chinese_message", "load_feedback", "notice_date", "save_workbook", "write_feedback",
]
