"""Render a layout grid as an xlsx workbook that prints like the official form (openpyxl).

Numbers are stored as numbers (rounded to the indicator's decimals, with a number format
showing exactly those decimals); codes and names as text; a text that starts like a formula
(``=``, ``+``, ``-``, ``@``) is forced to the string type, so it is never evaluated.
"""

from __future__ import annotations

import hashlib
import io
from copy import copy
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from huizong.atomic import write_bytes_atomic
from huizong.export.grid import Grid, GridCell, layout
from huizong.export.tables import OfficialTable
from huizong.export.text import number_format
from huizong.xlsx_print import a4_landscape_fit_width

FONT_NAME = "宋体"
_thin = Side(style="thin", color="000000")
_medium = Side(style="medium", color="000000")

_FONTS = {
    "title": Font(name=FONT_NAME, size=16, bold=True),
    "header": Font(name=FONT_NAME, size=10, bold=True),
    "colno": Font(name=FONT_NAME, size=9),
}
_BODY_FONT = Font(name=FONT_NAME, size=10)
_BODY_BOLD = Font(name=FONT_NAME, size=10, bold=True)

_ALIGN = {
    "title": Alignment(horizontal="center", vertical="center"),
    "meta_left": Alignment(horizontal="left", vertical="center"),
    "meta_center": Alignment(horizontal="center", vertical="center"),
    "meta_right": Alignment(horizontal="right", vertical="center"),
    "header": Alignment(horizontal="center", vertical="center", wrap_text=True),
    "colno": Alignment(horizontal="center", vertical="center"),
    "code": Alignment(horizontal="center", vertical="center"),
    "name": Alignment(horizontal="left", vertical="center", indent=1),
    "number": Alignment(horizontal="right", vertical="center"),
    "mark": Alignment(horizontal="center", vertical="center"),
    "footer": Alignment(horizontal="left", vertical="center"),
}


def _font(cell: GridCell) -> Font:
    if cell.role in _FONTS:
        return _FONTS[cell.role]
    return _BODY_BOLD if cell.bold else _BODY_FONT


def build_workbook(grid: Grid, stamp: date | None = None) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = grid.sheet_name
    first_body_row = grid.header_rows[0]
    last_body_row = grid.body_rows[1]

    # merge first: merging replaces the covered cells, which are then styled like the rest
    for r1, c1, r2, c2 in grid.merges:
        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)

    # openpyxl hashes every style object it is given; a table has a handful of distinct
    # styles, so each is built once and its style array copied to the other cells.
    styles: dict[tuple, object] = {}
    for r, row in enumerate(grid.cells):
        in_table = first_body_row <= r <= last_body_row
        for c, cell in enumerate(row):
            if cell is None and not in_table:
                continue
            xc = ws.cell(row=r + 1, column=c + 1)
            fmt = "General"
            if cell is not None and cell.is_number:
                xc.value = int(cell.value) if cell.decimals <= 0 else float(cell.value)
                fmt = number_format(cell.decimals)
            elif cell is not None and cell.value is not None:
                xc.value = cell.display or cell.value
                xc.data_type = "s"  # text, even when it starts with = + - @
                fmt = "@"
            # thin rules inside the table, a heavier one around it and under the column numbers
            edges = (c == 0, c == grid.n_cols - 1, r == first_body_row, r in (grid.header_rows[1], last_body_row))
            key = (cell.role if cell else None, cell.bold if cell else False, fmt, edges if in_table else None)
            if key in styles:
                xc._style = copy(styles[key])
                continue
            xc.number_format = fmt
            if cell is not None:
                xc.font = _font(cell)
                xc.alignment = _ALIGN[cell.role]
            if in_table:
                xc.border = Border(
                    left=_medium if edges[0] else _thin, right=_medium if edges[1] else _thin,
                    top=_medium if edges[2] else _thin, bottom=_medium if edges[3] else _thin,
                )
            styles[key] = copy(xc._style)

    for c, width in enumerate(grid.widths):
        ws.column_dimensions[get_column_letter(c + 1)].width = width
    for r, height in grid.heights.items():
        ws.row_dimensions[r + 1].height = height

    ws.freeze_panes = ws.cell(row=grid.freeze[0] + 1, column=grid.freeze[1] + 1)
    ws.sheet_view.showGridLines = False

    # print: A4 landscape, one page wide, the column headers repeated on every page
    a4_landscape_fit_width(ws)
    ws.print_title_rows = f"{grid.header_rows[0] + 1}:{grid.header_rows[1] + 1}"
    ws.print_area = f"A1:{get_column_letter(grid.n_cols)}{len(grid.cells)}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    wb.properties.creator = "huizong"
    if stamp is not None:
        wb.properties.created = datetime(stamp.year, stamp.month, stamp.day)
    return wb


def write_xlsx(grid: Grid, path: Path, stamp: date | None = None) -> str:
    """Write atomically: a reader never sees a half-written table. Returns the sha256 of the
    bytes written (the log keeps it, so a later export can tell the file is untouched)."""
    wb = build_workbook(grid, stamp)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    write_bytes_atomic(data, path)
    return hashlib.sha256(data).hexdigest()


def write_table_xlsx(job: tuple[OfficialTable, str]) -> str:
    """Lay out one table and write its xlsx: the unit of work of the export's process pool
    (a table pickles small; its grid is rebuilt in the worker). Returns the file's sha256."""
    table, path = job
    return write_xlsx(layout(table), Path(path), stamp=table.report_date)
