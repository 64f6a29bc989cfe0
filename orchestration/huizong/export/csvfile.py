"""Write a layout grid as CSV: UTF-8 with BOM (so Excel opens it), CRLF lines, the same
cells as the xlsx (a merged range's text in its first cell). Numbers are written with the
indicator's decimals; a text starting like a formula gets a leading ``'``.

The bytes depend only on the grid, so the same warehouse gives the same file every run.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
