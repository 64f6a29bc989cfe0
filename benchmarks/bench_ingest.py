"""Ingest benchmark: a province-scale demo inbox through ``huizong.ingest.pipeline.ingest``,
against the floor of simply opening every file with python-calamine (or the csv module)
and touching every cell in one process.

    .venv/bin/python benchmarks/bench_ingest.py [--scale province] [--seed 7] [--regenerate]

The inbox is generated once into ``$HUIZONG_BENCH_DIR`` (default ``/tmp/huizong-bench``),
never inside the repository, and shared with the other benchmarks (``common.py``). Prints the number of files and
cells, the floor, the ingest wall time, files/s, cells/s, the ratio to the floor and the
peak memory (self and children). Target: ingest within 2x the floor.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DIR, inbox_files, province_inbox, raw_read_floor  # noqa: E402

from huizong import PROJECT_ROOT  # noqa: E402
from huizong.ingest.pipeline import ingest  # noqa: E402


def sources_for(scale: str, seed: int, regenerate: bool) -> Path:
    """The cached inbox shared with the other benchmarks (generated once, outside the repo)."""
    root = BENCH_DIR.resolve()
    if PROJECT_ROOT.resolve() in (root, *root.parents):
        sys.exit(f"{root}: the benchmark inbox must live outside the repository")
    if regenerate:
        shutil.rmtree(root / f"{scale}-seed{seed}", ignore_errors=True)
    return province_inbox(seed=seed, scale=scale)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="province", choices=("tiny", "city", "province"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--regenerate", action="store_true", help="generate the inbox again")
    ap.add_argument("--workers", type=int, default=None, help="reader processes (default: the pipeline's)")
    args = ap.parse_args(argv)

    sources = sources_for(args.scale, args.seed, args.regenerate)
    n_files = sum(1 for p in (sources / "inbox").rglob("*") if p.is_file())
    spreadsheets = inbox_files(sources)
    f_seconds, f_cells = raw_read_floor(spreadsheets)
    f_files = len(spreadsheets)

    work = Path(tempfile.mkdtemp(prefix="huizong-bench-db-"))
    try:
        con = duckdb.connect(str(work / "warehouse.duckdb"))
        me0, kids0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        summary = ingest(sources, con, workers=args.workers)
        seconds = time.perf_counter() - t
        con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()
    print(f"inbox            {sources} ({args.scale}, seed {args.seed})")
    print(f"files            {n_files} ({f_files} workbooks/CSV for the floor); statuses {summary.by_status}")
    print(f"cells            {f_cells} non-empty grid cells; {summary.cells} raw.cells rows")
    print(f"floor            {f_seconds:.2f} s (python-calamine/csv, every cell touched, one process)")
    print(f"ingest           {seconds:.2f} s wall (huizong.ingest.pipeline.ingest into a fresh DuckDB)")
    print(f"files/s          {n_files / seconds:.0f}")
    print(f"cells/s          {summary.cells / seconds:.0f} raw cells, {f_cells / seconds:.0f} grid cells")
    print(f"ratio to floor   {seconds / f_seconds:.2f}x (target <= 2x)")
    cpu_main = me.ru_utime + me.ru_stime - me0.ru_utime - me0.ru_stime
    cpu_kids = kids.ru_utime + kids.ru_stime - kids0.ru_utime - kids0.ru_stime
    print(f"ingest cpu       {cpu_main:.1f} s main, {cpu_kids:.1f} s workers; phases "
          + ", ".join(f"{k} {v:.2f} s" for k, v in summary.timings.items()))
    print(f"peak memory      {me.ru_maxrss // 1024} MB main, {kids.ru_maxrss // 1024} MB largest worker")
    print(f"load average     {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs (other work skews both timings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
