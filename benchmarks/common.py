"""Shared pieces of the benchmark scripts: the province-scale inbox (generated once into a
cache outside the repo), the raw-read floor, and peak memory."""

from __future__ import annotations

import csv
import io
import os
import resource
import time
from pathlib import Path

from python_calamine import CalamineWorkbook

from huizong.ingest.workbook import OLE_MAGIC, decode_text

BENCH_DIR = Path(os.environ.get("HUIZONG_BENCH_DIR", "/tmp/huizong-bench"))


def province_inbox(seed: int = 7, scale: str = "province") -> Path:
    """A generated inbox (≥15,000 villages at province scale), made once and reused."""
    from huizong.demo.generator import generate

    out = BENCH_DIR / f"{scale}-seed{seed}"
    marker = out / ".complete"
    if not marker.exists():
        t0 = time.perf_counter()
        print(f"generating a {scale} inbox into {out} (once) ...", flush=True)
        generate(out, scale=scale, seed=seed)
        marker.write_text("ok")
        print(f"  generated in {time.perf_counter() - t0:.0f} s", flush=True)
    return out


def inbox_files(sources: Path) -> list[Path]:
    return sorted(p for p in (sources / "inbox").rglob("*") if p.is_file() and p.suffix.lower() in (".xlsx", ".csv") and not p.name.startswith("~$"))


def raw_read_floor(files: list[Path]) -> tuple[float, int]:
    """The fastest reader (python-calamine; csv for CSV) opening every file and touching every
    cell, single process: what no reader can beat. Returns (seconds, cells touched)."""
    t0 = time.perf_counter()
    cells = 0
    for p in files:
        try:
            if p.suffix.lower() == ".csv":
                text = decode_text(p.read_bytes(), p)
                for row in csv.reader(io.StringIO(text)):
                    cells += sum(1 for v in row if v)
            else:
                with open(p, "rb") as fh:
                    if fh.read(8) == OLE_MAGIC:
                        continue  # an encrypted/legacy file: calamine would abort on a malformed one
                wb = CalamineWorkbook.from_path(str(p))
                for name in wb.sheet_names:
                    for row in wb.get_sheet_by_name(name).to_python():
                        cells += sum(1 for v in row if v != "")
        except Exception:
            continue  # the corrupt files of the inbox cost the floor nothing
    return time.perf_counter() - t0, cells


def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024
