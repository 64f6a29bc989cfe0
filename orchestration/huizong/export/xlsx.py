"""Render a layout grid as an xlsx workbook that prints like the official form (xlsxwriter:
a night writes thousands of tables, and xlsxwriter writes one about five times faster than
openpyxl).

Numbers are stored as numbers (rounded to the indicator's decimals, with a number format
showing exactly those decimals); codes and names as text, always through ``write_string`` (a
text that starts like a formula - ``=``, ``+``, ``-``, ``@`` - stays a string and is never
evaluated).
"""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from huizong.atomic import write_bytes_atomic
from huizong.export.grid import Grid, GridCell
from huizong.export.text import number_format
from huizong.xlsx_print import apply_xlsxwriter

FONT_NAME = "宋体"
THIN, MEDIUM = 1, 2  # xlsxwriter's border styles
FOOTER = "第 &P 页，共 &N 页"

_FONTS = {"title": (16, True), "header": (10, True), "colno": (9, False)}  # size, bold
_ALIGN = {  # horizontal, wrapped, indent (all centred vertically)
    "title": ("center", False, 0),
    "meta_left": ("left", False, 0),
    "meta_center": ("center", False, 0),
    "meta_right": ("right", False, 0),
    "header": ("center", True, 0),
    "colno": ("center", False, 0),
    "code": ("center", False, 0),
    "name": ("left", False, 1),
    "number": ("right", False, 0),
    "mark": ("center", False, 0),
    "footer": ("left", False, 0),
}


def _properties(cell: GridCell | None, num_format: str, edges: tuple[bool, bool, bool, bool] | None) -> dict:
    props: dict = {"num_format": num_format}
    if cell is not None:
        size, bold = _FONTS.get(cell.role, (10, cell.bold))
        align, wrap, indent = _ALIGN[cell.role]
        props.update(font_name=FONT_NAME, font_size=size, bold=bold, align=align, valign="vcenter")
        if wrap:
            props["text_wrap"] = True
        if indent:
            props["indent"] = indent
    if edges is not None:  # thin rules inside the table, a heavier one around it and under the column numbers
        left, right, top, bottom = edges
        props.update(left=MEDIUM if left else THIN, right=MEDIUM if right else THIN,
                     top=MEDIUM if top else THIN, bottom=MEDIUM if bottom else THIN)
    return props


def workbook_bytes(grid: Grid, stamp: date | None = None) -> bytes:
    """The table's xlsx file. ``stamp``: the workbook's creation date (its 报出日期), so the
    same table gives the same bytes."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    ws = wb.add_worksheet(grid.sheet_name)
    first_body_row, last_body_row = grid.header_rows[0], grid.body_rows[1]
    formats: dict[tuple, object] = {}

    def fmt(cell: GridCell | None, r1: int, c1: int, r2: int, c2: int):
        """The format of a cell, or of a merged range (its borders from the range's edges)."""
        in_table = first_body_row <= r1 <= last_body_row
        edges = (c1 == 0, c2 == grid.n_cols - 1, r1 == first_body_row, r2 in (grid.header_rows[1], last_body_row)) if in_table else None
        num = number_format(cell.decimals) if cell is not None and cell.is_number else "@" if cell is not None and cell.value is not None else "General"
        key = (cell.role if cell else None, cell.bold if cell else False, num, edges)
        if key not in formats:
            formats[key] = wb.add_format(_properties(cell, num, edges))
        return formats[key]

    def put(r: int, c: int, cell: GridCell | None, f) -> None:
        if cell is not None and cell.is_number:
            ws.write_number(r, c, int(cell.value) if cell.decimals <= 0 else float(cell.value), f)
        elif cell is not None and cell.value is not None:
            ws.write_string(r, c, cell.display or cell.value, f)  # text, even when it starts with = + - @
        else:
            ws.write_blank(r, c, None, f)

    covered: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in grid.merges:
        cell = grid.cells[r1][c1]
        f = fmt(cell, r1, c1, r2, c2)
        ws.merge_range(r1, c1, r2, c2, "", f)
        put(r1, c1, cell, f)  # merge_range would write its value with write(), which guesses types
        covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))

    for r, row in enumerate(grid.cells):
        in_table = first_body_row <= r <= last_body_row
        for c, cell in enumerate(row):
            if (r, c) in covered or (cell is None and not in_table):
                continue
            put(r, c, cell, fmt(cell, r, c, r, c))

    for c, width in enumerate(grid.widths):
        ws.set_column(c, c, width)
    for r, height in grid.heights.items():
        ws.set_row(r, height)
    ws.freeze_panes(*grid.freeze)
    ws.hide_gridlines(2)

    # print: A4 landscape, one page wide, the column headers repeated on every page
    apply_xlsxwriter(ws, FOOTER)
    ws.repeat_rows(grid.header_rows[0], grid.header_rows[1])
    ws.print_area(0, 0, len(grid.cells) - 1, grid.n_cols - 1)

    props = {"author": "huizong"}
    if stamp is not None:
        props["created"] = datetime(stamp.year, stamp.month, stamp.day)
    wb.set_properties(props)
    wb.close()
    return buf.getvalue()


def write_xlsx(grid: Grid, path: Path, stamp: date | None = None) -> str:
    """Write atomically: a reader never sees a half-written table. Returns the sha256 of the
    bytes written (the log keeps it, so a later export can tell the file is untouched)."""
    data = workbook_bytes(grid, stamp)
    write_bytes_atomic(data, path)
    return hashlib.sha256(data).hexdigest()

