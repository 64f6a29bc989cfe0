"""Opening a submission: an xlsx/xls workbook (python-calamine) or a CSV (UTF-8, UTF-8 with
BOM or GBK) as a list of grids, one per sheet.

python-calamine is the fast reader but gives no number formats; the one format that changes
a value's meaning (a fraction shown as a percentage) is read straight from the workbook's
``styles.xml`` and sheet XML.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnreadableFile(ValueError):
    """The file cannot be opened as a spreadsheet; the message says why."""


@dataclass
class Grid:
    name: str
    rows: list[list[Any]]  # absolute: rows[0][0] is A1
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, col), 0-based


def open_grids(path: Path) -> list[Grid]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [Grid(name=path.stem, rows=read_csv_rows(path))]
    return read_workbook(path)


def decode_text(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableFile(f"{path.name}: text encoding not recognised (expected UTF-8 or GBK)")
    return str(best)


def read_csv_rows(path: Path) -> list[list[Any]]:
    text = decode_text(path.read_bytes(), path)
    sample = text[:4096]
    delimiter = ","
    if sample.count("\t") > sample.count(","):
        delimiter = "\t"
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def ole_header_problem(data: bytes) -> str | None:
    """Why an OLE compound file's header cannot be right (None when it looks sane). A
    reader trusting a broken header may try to allocate gigabytes, so it is checked first."""
    if len(data) < 512:
        return "truncated OLE header"
    u16 = lambda o: int.from_bytes(data[o : o + 2], "little")  # noqa: E731
    u32 = lambda o: int.from_bytes(data[o : o + 4], "little")  # noqa: E731
    major, shift = u16(26), u16(30)
    if data[28:30] != b"\xfe\xff" or (major, shift) not in ((3, 9), (4, 12)):
        return "bad OLE header"
    sector = 1 << shift
    n_sectors = max(len(data) - sector, 0) // sector if major == 4 else (len(data) - 512) // sector
    n_fat, first_dir, n_minifat, n_difat = u32(44), u32(48), u32(64), u32(72)
    if not 0 < n_fat <= n_sectors or n_minifat > n_sectors or n_difat > n_sectors or first_dir >= n_sectors:
        return "OLE sector counts beyond the file's size"
    for i in range(min(n_fat, 109)):
        if u32(76 + 4 * i) >= n_sectors:
            return "OLE FAT sector beyond the file's size"
    return None


def read_workbook(path: Path) -> list[Grid]:
    data = path.read_bytes()
    zf = None
    if data[:8] == OLE_MAGIC:
        if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data.replace(b"\x00", b""):
            raise UnreadableFile("encrypted workbook (password-protected): save it without a password")
        if path.suffix.lower() != ".xls":
            raise UnreadableFile("legacy OLE (.xls) content under an .xlsx name: save it as .xlsx")
        problem = ole_header_problem(data)
        if problem:
            raise UnreadableFile(f"corrupt workbook: {problem}")
    else:
        try:
            if data[:2] != b"PK":
                raise zipfile.BadZipFile
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, EOFError):
            raise UnreadableFile("corrupt workbook: not a valid xlsx (zip) file, possibly truncated") from None
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types
        raise UnreadableFile(f"corrupt workbook: {exc}") from exc
    percent = percent_cells_by_sheet(zf) if zf is not None else {}
    grids = []
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or [])
        except Exception as exc:
            raise UnreadableFile(f"corrupt sheet {name!r}: {exc}") from exc
        grids.append(Grid(name=name, rows=rows, merged=merged, percent_cells=percent.get(name, set())))
    return grids


# -- percent number formats ---------------------------------------------------------------

_BUILTIN_PERCENT = {9, 10}
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?\ss="(\d+)"')


def _is_percent_code(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\\.', "", code)
    return "%" in code


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*"([^"]*)"')


def _tags(xml: bytes, name: bytes) -> list[dict[str, str]]:
    """Attributes of every ``<name .../>`` element (any namespace prefix), in order."""
    out = []
    for m in re.finditer(rb"<(?:[\w-]+:)?" + name + rb"\b([^>]*)>", xml):
        out.append({k.decode().rsplit(":", 1)[-1]: html.unescape(v.decode("utf-8")) for k, v in _ATTR.findall(m.group(1))})
    return out


def percent_cells_by_sheet(zf: zipfile.ZipFile) -> dict[str, set[tuple[int, int]]]:
    """Cells whose number format shows a percentage, per sheet name. (The XML parts are
    scanned for their few elements and attributes rather than parsed whole.)"""
    try:
        with zf:
            names = set(zf.namelist())
            if "xl/styles.xml" not in names:
                return {}
            styles = zf.read("xl/styles.xml")
            if b"%" not in styles and not re.search(rb'numFmtId="(9|10)"', styles):
                return {}  # no percent format at all
            custom = {int(a["numFmtId"]): a.get("formatCode", "") for a in _tags(styles, b"numFmt") if "numFmtId" in a}
            percent_ids = _BUILTIN_PERCENT | {i for i, c in custom.items() if _is_percent_code(c)}
            m = re.search(rb"<(?:[\w-]+:)?cellXfs\b.*?</(?:[\w-]+:)?cellXfs>", styles, re.S)
            xfs = _tags(m.group(0), b"xf") if m else []
            percent_xf = {str(i).encode() for i, xf in enumerate(xfs) if int(xf.get("numFmtId", 0) or 0) in percent_ids}
            if not percent_xf:
                return {}
            targets = {r.get("Id"): r.get("Target", "") for r in _tags(zf.read("xl/_rels/workbook.xml.rels"), b"Relationship")}
            out: dict[str, set[tuple[int, int]]] = {}
            for sheet in _tags(zf.read("xl/workbook.xml"), b"sheet"):
                target = targets.get(sheet.get("id"), "").lstrip("/")
                member = target if target.startswith("xl/") else f"xl/{target}"
                if member not in names:
                    continue
                xml = zf.read(member)
                cells = {
                    (int(m.group(2)) - 1, col_index(m.group(1).decode()))
                    for m in _CELL.finditer(xml)
                    if m.group(3) in percent_xf
                }
                if cells:
                    out[sheet.get("name")] = cells
            return out
    except (zipfile.BadZipFile, KeyError, ValueError):
        return {}
