"""Writing rendered sheets as files: xlsx through openpyxl (normal mode), CSV in UTF-8, UTF-8
with BOM or GBK, and the odd files an inbox collects (lock files, a README, a truncated
workbook, an encrypted-looking OLE file).

openpyxl writes no cached value for a formula, and a reader sees nothing in such a cell. So
cells are written with their values, and the formulas are added to the saved XML next to
the values (``<c r="D7"><f>SUM(D8:D20)</f><v>123</v></c>``): the file then reads like one
saved by Excel. Zip timestamps and document properties are fixed, so a seed gives the same
bytes every time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huizong.demo.layout import Rendered, SheetSpec, XCell, render_sheet

FIXED_TIME = (2019, 1, 1, 0, 0, 0)
_FIXED_ISO = "2019-01-01T00:00:00Z"


@dataclass
class SheetJob:
    name: str
    spec: SheetSpec | None = None  # a form
    raw: list[list[Any]] | None = None  # a non-form sheet (填表说明, a roster, empty)


@dataclass
class FileJob:
    rel_path: str  # relative to out_dir
    kind: str  # xlsx | csv | text | bytes | truncated_xlsx | ole
    sheets: list[SheetJob] = field(default_factory=list)
    encoding: str = "utf-8"
    data: bytes = b""


def _col(c: int) -> str:
    s, c = "", c + 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def xlsx_bytes(sheets: list[tuple[str, Rendered | list[list[Any]]]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError  # noqa: F401

    wb = Workbook()
    wb.remove(wb.active)
    formulas: list[dict[str, str]] = []
    for title, content in sheets:
        ws = wb.create_sheet(title=title)
        rows, merges = (content.rows, content.merges) if isinstance(content, Rendered) else (content, [])
        sheet_formulas: dict[str, str] = {}
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                if isinstance(v, XCell):
                    cell = ws.cell(row=r, column=c, value=v.value)
                    if v.number_format:
                        cell.number_format = v.number_format
                    if v.formula:
                        sheet_formulas[f"{_col(c - 1)}{r}"] = v.formula
                else:
                    ws.cell(row=r, column=c, value=v)
        for r1, c1, r2, c2 in merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        formulas.append(sheet_formulas)
    wb.properties.creator = "WPS Office"
    buf = io.BytesIO()
    wb.save(buf)
    return add_cached_formulas(buf.getvalue(), formulas, fixed_time=True)


_CELL_OPEN = re.compile(rb'<c r="([A-Z]+\d+)"([^>]*)><v>')
_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def add_cached_formulas(data: bytes, formulas: list[dict[str, str]], fixed_time: bool = False) -> bytes:
    """The xlsx ``data`` with a formula put in front of the value of each cell named in
    ``formulas`` (one dict per sheet, in order: cell -> formula), as Excel saves a formula
    with its cached result (openpyxl stores either, never both). ``fixed_time``: the zip
    entries and core.xml carry one fixed time, so the same workbook gives the same bytes.
    Raises ``ValueError`` for a cell that holds no value to put a formula on."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            content = src.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            f = formulas[int(m.group(1)) - 1] if m and int(m.group(1)) <= len(formulas) else None
            if f:
                found: set[str] = set()

                def add(match: re.Match, f=f, found=found) -> bytes:
                    ref = match.group(1).decode()
                    if ref in f:
                        found.add(ref)
                        attrs = match.group(2).replace(b' t="n"', b"")
                        formula = f[ref].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
                        return b'<c r="' + match.group(1) + b'"' + attrs + b"><f>" + formula.encode() + b"</f><v>"
                    return match.group(0)

                content = _CELL_OPEN.sub(add, content)
                if set(f) - found:
                    raise ValueError(f"{info.filename}: no cell with a value at {sorted(set(f) - found)} to put a formula on")
            elif fixed_time and info.filename == "docProps/core.xml":
                content = _CORE_TIME.sub(lambda m: m.group(1) + _FIXED_ISO.encode() + m.group(2), content)
            zi = zipfile.ZipInfo(info.filename, FIXED_TIME if fixed_time else info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, content)
    return out.getvalue()


def _csv_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, XCell):
        v = v.value
    if isinstance(v, (dt.date, dt.datetime)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def csv_bytes(rendered: Rendered, encoding: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    width = max(len(r) for r in rendered.rows)
    for row in rendered.rows:
        cells = [_csv_text(v) for v in row]
        w.writerow(cells + [""] * (width - len(cells)))
    text = buf.getvalue()
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


def fake_encrypted_ole() -> bytes:
    """An Office file as a password leaves it: a well-formed OLE compound file holding the
    EncryptionInfo and EncryptedPackage streams (random-looking bytes)."""
    import struct

    end, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)  # dir sectors, FAT sectors, first dir, ...
    difat = [0] + [free] * 108
    struct.pack_into("<109I", header, 76, *difat)
    fat = [fatsect, end] + list(range(3, 10)) + [end] + list(range(11, 18)) + [end]
    fat += [free] * (128 - len(fat))
    fat_sector = struct.pack("<128I", *fat)

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        e = bytearray(128)
        raw = name.encode("utf-16-le") + b"\x00\x00" if name else b""
        e[: len(raw)] = raw
        struct.pack_into("<HBBIII", e, 64, len(raw), kind, 1, left, right, child)
        struct.pack_into("<IQ", e, 116, start, size)
        return bytes(e)

    directory = (
        entry("Root Entry", 5, nostream, nostream, 1, end, 0)
        + entry("EncryptionInfo", 2, nostream, 2, nostream, 2, 4096)
        + entry("EncryptedPackage", 2, nostream, nostream, nostream, 10, 4096)
        + bytes(128)
    )
    body = bytes((i * 37 + 11) % 256 for i in range(8192))
    return bytes(header) + fat_sector + directory + body


def lock_file_bytes(user: str = "Administrator") -> bytes:
    name = user.encode("utf-8")
    return bytes([len(name)]) + name.ljust(53, b" ") + b"\x00" * 2 + user.encode("utf-16-le").ljust(108, b"\x00")


def write_job(job: FileJob, out_dir: str) -> tuple[str, list[set[str]], int]:
    """Write one file. Returns (rel_path, variations used per form sheet, cells written)."""
    path = Path(out_dir) / job.rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    used: list[set[str]] = []
    cells = 0
    if job.kind in ("xlsx", "truncated_xlsx"):
        sheets = []
        for s in job.sheets:
            if s.spec is not None:
                rendered = render_sheet(s.spec)
                used.append(rendered.used)
                cells += sum(1 for r in rendered.rows for v in r if v is not None)
                sheets.append((s.name, rendered))
            else:
                sheets.append((s.name, s.raw or []))
        data = xlsx_bytes(sheets)
        if job.kind == "truncated_xlsx":
            data = data[: int(len(data) * 0.6)]
            used = []
        path.write_bytes(data)
    elif job.kind == "csv":
        rendered = render_sheet(job.sheets[0].spec)
        used.append(rendered.used)
        cells += sum(1 for r in rendered.rows for v in r if v is not None)
        encoding = job.encoding
        try:
            data = csv_bytes(rendered, encoding)
        except UnicodeEncodeError:  # a traditional character GBK lacks: say it in UTF-8
            encoding = "utf-8-sig"
            data = csv_bytes(rendered, encoding)
        rendered.used.add({"utf-8": "csv_utf8", "utf-8-sig": "csv_utf8_bom", "gbk": "csv_gbk"}[encoding])
        path.write_bytes(data)
    elif job.kind == "ole":
        path.write_bytes(fake_encrypted_ole())
    else:  # text / bytes
        path.write_bytes(job.data)
    return job.rel_path, used, cells
