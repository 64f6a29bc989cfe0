"""The official form layout of a table, as a grid of cells: one layout feeds both the xlsx
renderer and the CSV writer, so the two files hold the same content cell for cell.

    贫困人口基本情况                                   (title, merged over the width)
    表号:扶贫1表                          制定机关:五源市统计局
    填报单位:竹平县        2018年1-6月     计量单位:个、户、人、亩、元
    区划代码 | 单位名称 | 村民小组数(个) | ... | 建档立卡贫困 (group, merged) | ...
             |          |                | ... | 户数(户) | 人数(人)          | ...
    甲       | 乙       | 1              | ... | 6        | 7                 | ...  (column numbers)
    610521.. | 合计     | figures of the publishing area
    610521.. | 竹堡镇   | figures of each area below it, by code
    (blank)
    单位负责人:        统计负责人:        填表人:        报出日期:2019年1月10日
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from huizong.export.tables import OfficialTable
from huizong.export.text import date_in_words, display_width, format_number, round_value

CODE_HEADER, NAME_HEADER = "区划代码", "单位名称"
COLUMN_NUMBERS = ("甲", "乙")
FOOTER_LABELS = ("单位负责人:", "统计负责人:", "填表人:", "报出日期:")

TITLE_HEIGHT = 32.0
META_HEIGHT = 20.0
LINE_HEIGHT = 15.0  # one line of 10 pt bold CJK text, in points (CJK fonts run tall)
BODY_HEIGHT = 18.0
CODE_WIDTH = 14.0
MIN_NAME_WIDTH = 9.0
MIN_DATA_WIDTH = 6.0
MAX_LABEL_WIDTH = 12.0
# How wide a header line may be (display units), tried in turn until the table prints on A4
# landscape at MIN_PRINT_SCALE or more: wide forms get narrower columns and taller headers.
LABEL_ROOMS = (MAX_LABEL_WIDTH - 2, 8.0, 6.0, 4.0)
MIN_PRINT_SCALE = 0.75
A4_LANDSCAPE_PRINTABLE_MM = 297 - 2 * 0.4 * 25.4


@dataclass(frozen=True)
class GridCell:
    value: str | Decimal | None
    role: str
    decimals: int = 0
    bold: bool = False
    display: str | None = None  # the xlsx text with line breaks, when it differs from ``value``

    @property
    def is_number(self) -> bool:
        return isinstance(self.value, Decimal)

    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, Decimal):
            return format_number(self.value, self.decimals)
        return self.value


@dataclass
class Grid:
    sheet_name: str
    cells: list[list[GridCell | None]]
    merges: list[tuple[int, int, int, int]]  # 0-based, inclusive (r1, c1, r2, c2)
    widths: list[float]
    heights: dict[int, float]
    header_rows: tuple[int, int]  # first and last row of the column headers (with column numbers)
    # Cells are the same in the xlsx and the CSV; only a header's line breaks (``display``)
    # are xlsx-only, so a CSV header stays on one line.
    body_rows: tuple[int, int]  # first and last figure row (合计 first)
    freeze: tuple[int, int] = (0, 0)  # first unfrozen row and column, 0-based
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def n_cols(self) -> int:
        return len(self.widths)


def header_label(label: str, unit: str) -> str:
    return f"{label}({unit})" if unit else label


def _split_even(text: str, parts: int, room: float) -> list[str]:
    """``text`` cut at character boundaries into at most ``parts`` lines, each closed once it
    holds an even share of the width - rounded up to whole two-character words when that
    still fits ``room`` (``医疗救助人次`` in 2: ``医疗救助`` ``人次``)."""
    share = display_width(text) / parts
    if math.ceil(share / 4) * 4 <= room + 2:
        share = math.ceil(share / 4) * 4
    lines, line = [], ""
    for ch in text:
        line += ch
        if display_width(line) >= share and len(lines) < parts - 1:
            lines.append(line)
            line = ""
    if line:
        lines.append(line)
    return lines


def _split_natural(text: str, room: float) -> list[str] | None:
    """Two lines cut where a reader expects it - before ``(`` or after ``:`` - if both fit."""
    cuts = [i for i in range(1, len(text)) if text[i] in "(（" or text[i - 1] in ":："]
    fitting = [i for i in cuts if max(display_width(text[:i]), display_width(text[i:])) <= room + 2]
    if not fitting:
        return None
    best = min(fitting, key=lambda i: abs(display_width(text[:i]) - display_width(text[i:])))
    return [text[:best], text[best:]]


def break_label(text: str, unit_suffix: str = "", room: float = MAX_LABEL_WIDTH - 2) -> list[str]:
    """Lines a header label is printed on: one if it fits ``room``; else the label whole (up
    to two characters wider than ``room``) with the unit on a line of its own; only a longer
    label is cut, into lines of even width, so no line is a stub such as a lone ``)``."""
    if display_width(text + unit_suffix) <= room:
        return [text + unit_suffix]
    if display_width(text) <= room + 2:
        lines = [text]
    else:
        lines = _split_natural(text, room) or _split_even(text, math.ceil(display_width(text) / room), room)
    if unit_suffix:
        longest = max(display_width(x) for x in lines)
        if len(lines) > 1 and display_width(lines[-1] + unit_suffix) <= max(room, longest) + 2:
            lines[-1] += unit_suffix
        else:
            lines.append(unit_suffix)
    return lines


@lru_cache(maxsize=4096)
def _header_cell(label: str, unit: str, room: float = MAX_LABEL_WIDTH - 2) -> GridCell:
    # cached: every table of a form breaks the same labels (a GridCell is immutable)
    lines = break_label(label, f"({unit})" if unit else "", room)
    return GridCell(header_label(label, unit), "header", display="\n".join(lines) if len(lines) > 1 else None)


def _lines_width(cell: GridCell) -> float:
    return max(display_width(x) for x in (cell.display or cell.text()).split("\n"))


def _n_lines(cell: GridCell | None) -> int:
    return 1 if cell is None or cell.value is None else len((cell.display or cell.text()).split("\n"))


def print_scale(widths: list[float]) -> float:
    """The zoom at which columns of these widths fit the printable width of A4 landscape
    (Excel: a column of width w is about 7w + 5 pixels at 96 dpi)."""
    px = sum(7 * w + 5 for w in widths)
    return min(1.0, A4_LANDSCAPE_PRINTABLE_MM / (px / 96 * 25.4))


def _figure_widths(table: OfficialTable, body: list[list[GridCell]]) -> list[int]:
    """The longest figure of each data column, in characters (whatever the header room)."""
    return [max((len(r[2 + j].text()) for r in body), default=0) for j in range(len(table.columns))]


def _columns(table: OfficialTable, body: list[list[GridCell]], room: float, figures: list[int] | None = None):
    cols = table.columns
    if figures is None:
        figures = _figure_widths(table, body)
    leaves = [_header_cell(c.label, c.unit, room) for c in cols]
    widths = [CODE_WIDTH, max(MIN_NAME_WIDTH, *(display_width(r.name) + 3 for r in table.rows))]
    for j, c in enumerate(cols):
        widths.append(max(MIN_DATA_WIDTH, figures[j] + 2.5, _lines_width(leaves[j]) + 2))
    # a group's label must fit over its leaves
    groups: list[tuple[str, int, int]] = []  # (label, first col, last col), in grid columns
    for j, c in enumerate(cols):
        if c.group and groups and groups[-1][0] == c.group and groups[-1][2] == j + 1:
            groups[-1] = (c.group, groups[-1][1], j + 2)
        elif c.group:
            groups.append((c.group, j + 2, j + 2))
    group_cells: dict[int, GridCell] = {}
    for label, a, b in groups:
        span = b - a + 1
        cell = _header_cell(label, "", room=max(room, sum(widths[a : b + 1]) - 2))
        group_cells[a] = cell
        need, have = _lines_width(cell) + 2, sum(widths[a : b + 1])
        if have < need:
            for k in range(a, b + 1):
                widths[k] += (need - have) / span
    return leaves, [round(w, 1) for w in widths], groups, group_cells


def layout(table: OfficialTable) -> Grid:
    cols = table.columns
    n = 2 + len(cols)
    two_level = any(c.group for c in cols)
    leaves: list[GridCell]
    groups: list[tuple[str, int, int]]

    # -- body values (rounded as published) ------------------------------------------------
    body: list[list[GridCell]] = []
    for row in table.rows:
        cells = [GridCell(row.code, "code", bold=row.total), GridCell(row.name, "name", bold=row.total)]
        for c in cols:
            v = row.values.get(c.key)
            if c.text:
                cells.append(GridCell(None if v is None else str(v), "mark", bold=row.total))
            else:
                cells.append(GridCell(round_value(v, c.decimals), "number", c.decimals, bold=row.total))
        body.append(cells)

    # -- header cells and widths: narrower, taller headers until the form fits A4 ---------
    figures = _figure_widths(table, body)
    for room in LABEL_ROOMS:
        leaves, widths, groups, group_cells = _columns(table, body, room, figures)
        if print_scale(widths) >= MIN_PRINT_SCALE:
            break

    cells: list[list[GridCell | None]] = []
    merges: list[tuple[int, int, int, int]] = []
    heights: dict[int, float] = {}

    def add_row(row: list[GridCell | None], height: float | None = None) -> int:
        cells.append(row + [None] * (n - len(row)))
        if height:
            heights[len(cells) - 1] = height
        return len(cells) - 1

    # -- title and meta lines ----------------------------------------------------------------------
    r = add_row([GridCell(table.title, "title", bold=True)], TITLE_HEIGHT)
    merges.append((r, 0, r, n - 1))
    third = max(1, n // 3)
    left_end = max(1, third - 1) if n > 3 else 0
    right_start = max(left_end + 1, n - third)

    def meta_row(left: str, center: str | None, right: str) -> None:
        row: list[GridCell | None] = [None] * n
        row[0] = GridCell(left, "meta_left")
        row[right_start] = GridCell(right, "meta_right")
        r = add_row(row, META_HEIGHT)
        merges.append((r, 0, r, left_end))
        if right_start < n - 1:
            merges.append((r, right_start, r, n - 1))
        if center is not None and right_start - left_end > 1:
            cells[r][left_end + 1] = GridCell(center, "meta_center")
            if right_start - 1 > left_end + 1:
                merges.append((r, left_end + 1, r, right_start - 1))

    meta = {
        "表号": table.table_no,
        "制定机关": table.issuer,
        "填报单位": table.area_name,
        "period": table.period_text,
        "计量单位": table.unit_note,
        "报出日期": date_in_words(table.report_date),
    }
    meta_row(f"表号:{table.table_no}", None, f"制定机关:{table.issuer}")
    meta_row(f"填报单位:{table.area_name}", table.period_text, f"计量单位:{table.unit_note}")

    # -- column headers --------------------------------------------------------------------------
    first_header = len(cells)
    top: list[GridCell | None] = [GridCell(CODE_HEADER, "header"), GridCell(NAME_HEADER, "header")]
    leaf: list[GridCell | None] = [GridCell(None, "header"), GridCell(None, "header")]
    for j, c in enumerate(cols):
        if c.group:
            top.append(group_cells.get(j + 2, GridCell(None, "header")))
            leaf.append(leaves[j])
        else:
            top.append(leaves[j])
            leaf.append(GridCell(None, "header"))
    if two_level:
        top_lines = max(_n_lines(group_cells.get(j + 2)) for j, c in enumerate(cols) if c.group)
        leaf_lines = max(_n_lines(leaves[j]) for j, c in enumerate(cols) if c.group)
        single_lines = max((_n_lines(leaves[j]) for j, c in enumerate(cols) if not c.group), default=1)
        top_h = top_lines * LINE_HEIGHT + 8
        leaf_h = leaf_lines * LINE_HEIGHT + 8
        if single_lines * LINE_HEIGHT + 8 > top_h + leaf_h:  # a vertically merged label needs more room
            leaf_h = single_lines * LINE_HEIGHT + 8 - top_h
        rt = add_row(top, top_h)
        rl = add_row(leaf, leaf_h)
        for k in (0, 1):
            merges.append((rt, k, rl, k))
        for j, c in enumerate(cols):
            if not c.group:
                merges.append((rt, j + 2, rl, j + 2))
        for _, a, b in groups:
            if b > a:
                merges.append((rt, a, rt, b))
    else:
        add_row(top, max(_n_lines(x) for x in leaves) * LINE_HEIGHT + 8)
    add_row(
        [GridCell(COLUMN_NUMBERS[0], "colno"), GridCell(COLUMN_NUMBERS[1], "colno")]
        + [GridCell(str(j + 1), "colno") for j in range(len(cols))],
        BODY_HEIGHT,
    )
    last_header = len(cells) - 1

    # -- figures ---------------------------------------------------------------------------------
    first_body = len(cells)
    for row in body:
        add_row(list(row), BODY_HEIGHT)
    last_body = len(cells) - 1

    # -- footer: four fields spread over the printed width -----------------------------------
    add_row([], 10.0)
    footer: list[GridCell | None] = [None] * n
    total = sum(widths)
    edges, acc = [], 0.0
    for w in widths:
        edges.append(acc)
        acc += w
    used: set[int] = set()
    for k, label in enumerate(FOOTER_LABELS):
        col = min(range(n), key=lambda c: (abs(edges[c] - total * k / 4), c))
        while col in used and col < n - 1:
            col += 1
        used.add(col)
        text = label + (meta["报出日期"] if k == 3 else "")
        footer[col] = GridCell(text, "footer")
    add_row(footer, META_HEIGHT)

    return Grid(
        sheet_name=table.table_no,
        cells=cells,
        merges=merges,
        widths=widths,
        heights=heights,
        header_rows=(first_header, last_header),
        body_rows=(first_body, last_body),
        freeze=(first_body, 2),
        meta=meta,
    )
