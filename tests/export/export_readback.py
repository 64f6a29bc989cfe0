"""Reading exported tables back, independently of the renderer's code."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import openpyxl


@dataclass
class Sheet:
    rows: list[list]  # cell values, top to bottom

    def find(self, predicate) -> int:
        return next(i for i, r in enumerate(self.rows) if r and predicate(r))

    @property
    def colno_row(self) -> int:
        return self.find(lambda r: r[0] == "甲")

    def body(self) -> list[list]:
        """Figure rows: after the column numbers, up to the first empty row."""
        out = []
        for r in self.rows[self.colno_row + 1 :]:
            if not any(v not in (None, "") for v in r):
                break
            out.append(r)
        return out

    def texts(self) -> list[str]:
        return [str(v) for r in self.rows for v in r if v not in (None, "")]


def read_xlsx(path: Path) -> tuple[Sheet, openpyxl.worksheet.worksheet.Worksheet]:
    ws = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column)]
    return Sheet(rows), ws


def read_csv(path: Path) -> Sheet:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [[v if v != "" else None for v in r] for r in csv.reader(fh)]
    return Sheet(rows)
