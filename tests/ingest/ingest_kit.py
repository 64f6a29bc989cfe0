"""Small hand-made sheets and a tiny registry for the reader's focused tests (a module of its
own, so that no test imports a ``conftest``)."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Any

from huizong.catalog import default_catalog
from huizong.demo.writer import add_cached_formulas
from huizong.ingest.files import InboxFile
from huizong.ingest.sheet import ParsedSheet, parse_grid
from huizong.ingest.submission import FileOutcome, read_submission
from huizong.ingest.workbook import Grid
from huizong.registry import Registry

AREAS = [
    # code, name, level, parent, from, to, successor, aliases
    ("430000000000", "湖南省", "province", "", 1984, "", "", ""),
    ("430500000000", "宜昌市", "city", "430000000000", 1984, "", "", ""),
    ("430504000000", "点军区", "county", "430500000000", 1984, "", "", ""),
    ("430504103000", "土城乡", "township", "430504000000", 1984, "", "", ""),
    ("430504103001", "桥边社区", "village", "430504103000", 1984, "", "", ""),
    ("430504103201", "车溪村", "village", "430504103000", 1984, "", "", ""),
    ("430504103202", "松树村", "village", "430504103000", 1984, "", "", ""),
    ("430504103203", "和平村", "village", "430504103000", 1984, "", "", "老街村"),
    ("430504103204", "彭家坡村", "village", "430504103000", 1984, 2017, "430504103205", ""),
    ("430504103205", "新和村", "village", "430504103000", 2018, "", "", ""),
    ("430505000000", "伍家岗区", "county", "430500000000", 1984, "", "", ""),
    ("430505101000", "土城乡", "township", "430505000000", 1984, "", "", ""),  # same name, other county
    ("430505101201", "白沙村", "village", "430505101000", 1984, "", "", ""),
    ("430505101202", "金竹村", "village", "430505101000", 1984, "", "", ""),
    ("430506000000", "夷陵区", "county", "430500000000", 1984, "", "", ""),
    ("430506102000", "龙泉镇", "township", "430506000000", 1984, "", "", ""),
    ("430506102201", "龙泉村", "village", "430506102000", 1984, "", "", ""),
    ("430506102202", "青龙村", "village", "430506102000", 1984, "", "", ""),
]
RATES = [(y, a, c, r) for y in (2017, 2018) for a, c, r in
         (("D04", "D03", 500), ("D06", "D05", 1000), ("D08", "D07", 1500), ("D10", "D09", 1500), ("D12", "D11", 1500), ("D17", "D16", 600))]

CAT = default_catalog()

FP2_LABELS = ["公路里程", "硬化公路里程", "土石公路里程", "砖混结构住房户数", "土坯房户数", "危房改造计划户数", "危房改造完成户数",
              "危房改造完成率", "安全饮水户数"]
FP2_CODES = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B09"]
# Two villages of 龙泉镇 and their 合计, FP2 in canonical order.
FP2_LONGQUAN = [
    ("龙泉村", [21.5, 13.5, 8.0, 400, 120, 10, 8, 80.0, 500]),
    ("青龙村", [30.0, 10.0, 20.0, 300, 100, 4, 1, 25.0, 380]),
]
FP2_TOTAL = [51.5, 23.5, 28.0, 700, 220, 14, 9, 64.29, 880]


def write_reference(root: Path) -> Path:
    ref = root / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    with open(ref / "areas.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "level", "parent_code", "valid_from", "valid_to", "successor_code", "aliases"])
        w.writerows(AREAS)
    with open(ref / "subsidy_rates.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["year", "amount_code", "count_code", "rate"])
        w.writerows(RATES)
    return ref / "areas.csv"


_REGISTRY: Registry | None = None


def registry(tmp: Path | None = None) -> Registry:
    global _REGISTRY
    if _REGISTRY is None:
        import tempfile

        root = Path(tmp or tempfile.mkdtemp(prefix="ingest_kit_"))
        _REGISTRY = Registry.from_csv(write_reference(root))
    return _REGISTRY


def form(
    table_no: str = "扶贫2表",
    unit: str | None = "夷陵区龙泉镇",
    period: str | None = "2018年",
    labels: list[str] | None = None,
    rows: list[list[Any]] | None = None,
    name_label: str = "村名称",
    footer: list[list[Any]] | None = None,
    title: str = "基础设施与住房",
    decl: str | None = "计量单位:公里、户",
    total: list[Any] | None = None,
    total_first: bool = True,
) -> list[list[Any]]:
    """A form sheet as rows: title, 表号, period, 填报单位/计量单位, header, 合计, villages, footer."""
    labels = FP2_LABELS if labels is None else labels
    rows = [[n, *v] for n, v in FP2_LONGQUAN] if rows is None else rows
    out: list[list[Any]] = [[title], [f"表号:{table_no}", "", "", "", "制定机关:宜昌市统计局"]]
    if period is not None:
        out.append([period])
    line = []
    if unit is not None:
        line.append(f"填报单位:{unit}")
    if decl:
        line += ["", "", "", decl]
    if line:
        out.append(line)
    out.append([name_label, *labels])
    body = list(rows)
    if total is not False:
        t = ["合计", *(FP2_TOTAL if total is None else total)]
        body = [t, *body] if total_first else [*body, t]
    out += body
    out += footer if footer is not None else [["注:本表由乡镇扶贫工作站填报。"], ["单位负责人:王建国　　填表人:陈明　　报出日期:2019年1月10日"]]
    width = max(len(r) for r in out)
    return [list(r) + [""] * (width - len(r)) for r in out]


def grid(rows: list[list[Any]], merged=(), percent=(), name: str = "Sheet1") -> Grid:
    return Grid(name=name, rows=rows, merged=list(merged), percent_cells=set(percent))


def parse(rows: list[list[Any]], **kw) -> ParsedSheet:
    return parse_grid(grid(rows, **kw), CAT, registry())


def figures(sheet: ParsedSheet) -> dict[tuple[str, str], float | None]:
    """(area code, or the name when unmatched; indicator) -> value, for village and total rows."""
    out = {}
    for r in sheet.rows:
        for c in r.cells:
            out[(r.area_code or r.name_raw, c.indicator_code)] = c.value
    return out


def inbox_file(path: Path, root: Path) -> InboxFile:
    data = path.read_bytes()
    return InboxFile(path=path, rel_path=path.relative_to(root).as_posix(), size=len(data), sha256=hashlib.sha256(data).hexdigest())


def read(path: Path, root: Path) -> FileOutcome:
    return read_submission(inbox_file(path, root), CAT, registry())


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None,
               formats: dict[str, dict[str, str]] | None = None, formulas: dict[str, dict[str, str]] | None = None) -> Path:
    """An xlsx through openpyxl. ``formulas`` (sheet -> cell -> formula) are added next to the
    written values, as Excel saves them (openpyxl itself stores no cached value)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None and v != "":
                    ws.cell(row=r, column=c, value=v)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        for ref, fmt in (formats or {}).get(name, {}).items():
            ws[ref].number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if formulas:
        data = add_cached_formulas(data, [formulas.get(name, {}) for name in sheets])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in r] for r in rows])
    text = buf.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" + text.encode("utf-8")) if encoding == "utf-8-sig" else text.encode(encoding))
    return path
