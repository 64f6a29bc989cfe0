"""Write a layout grid as CSV: UTF-8 with BOM (so Excel opens it), CRLF lines, the same
cells as the xlsx (a merged range's text in its first cell). Numbers are written with the
indicator's decimals; a text starting like a formula gets a leading ``'``.

The bytes depend only on the grid, so the same warehouse gives the same file every run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from huizong.atomic import write_bytes_atomic
from huizong.export.grid import Grid
from huizong.export.text import csv_safe


def csv_bytes(grid: Grid) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in grid.cells:
        out = []
        for cell in row:
            if cell is None or cell.value is None:
                out.append("")
            elif cell.is_number:
                out.append(cell.text())
            else:
                out.append(csv_safe(cell.value))
        writer.writerow(out)
    return buf.getvalue().encode("utf-8-sig")


def write_csv(data: bytes, path: Path) -> None:
    write_bytes_atomic(data, path)
