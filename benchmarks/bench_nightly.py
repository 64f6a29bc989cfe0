"""Nightly operation at province scale (issue 6): prints, in one run,
- the raw-read floor (calamine opening every file and touching every cell),
- the full `huizong run` (fresh warehouse) and its ratio to the floor,
- a re-run with no changes, and a re-run after one township resubmits,
- peak memory of the job.

    .venv/bin/python benchmarks/bench_nightly.py [--scale province|city] [--seed 7]

Not a test: targets are full run <= 3x floor, no-change re-run <= 10% of the full run,
peak memory <= 2 GB.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DIR, inbox_files, province_inbox, raw_read_floor  # noqa: E402


def huizong_run(sources: Path, warehouse: Path, exports: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `huizong run` in its own process tree."""
    cmd = [sys.executable, "-c",
           "import resource, sys; from huizong.cli import app; "
           "sys.argv = ['huizong'] + sys.argv[1:]\n"
           "try:\n    app()\nfinally:\n"
           "    s, c = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
           "    print(f'PEAK_RSS_KB {max(s, c)} SELF {s} CHILD {c}', file=sys.stderr)",
           "run", "--sources", str(sources), "--warehouse", str(warehouse), "--exports", str(exports)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:])
        raise SystemExit(f"huizong run failed ({proc.returncode})")
    m = re.search(r"PEAK_RSS_KB (\d+) SELF (\d+) CHILD (\d+)", proc.stderr)
    if m:  # the job's own process, and the largest of its children (dbt, the readers, the writers)
        print(f"    peak memory: job process {int(m.group(2)) / 1024:.0f} MB, largest child {int(m.group(3)) / 1024:.0f} MB")
    summary = [line for line in proc.stdout.splitlines() if line.startswith(("files:", "issues:", "tables:", "steps:"))]
    for line in summary:
        print("    " + line)
    return wall, (int(m.group(1)) / 1024 if m else float("nan"))


_DATE_TEXT = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")


def _one_day_later(m: re.Match) -> str:
    import datetime as dt

    d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) + dt.timedelta(days=1)
    return f"{d.year}年{d.month}月{d.day}日"


def _later_report_date(row) -> bool:
    """Move the 报出日期 of a footer row one day on, however the township wrote it: in the
    label's own text (``报出日期:2018年1月9日``) or in a cell after the label (a date, or a
    text such as ``2018.1.9``). True when a date was moved."""
    import datetime as dt

    label = next((i for i, c in enumerate(row) if isinstance(c.value, str) and "报出日期" in c.value), None)
    if label is None:
        return False
    for c in row[label:]:
        if isinstance(c.value, dt.datetime):
            c.value = c.value + dt.timedelta(days=1)
            return True
        if isinstance(c.value, str) and _DATE_TEXT.search(c.value):
            c.value = _DATE_TEXT.sub(_one_day_later, c.value, count=1)
            return True
    return False


def resubmit_one_township(sources: Path, warehouse: Path) -> Path:
    """Copy one loaded township workbook as a corrected submission: a later 报出日期 and one
    figure changed, as a township would send it (the copy then supersedes the original)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rel = con.execute(
            "select file_path from marts.ingest_files where status = 'loaded' and file_path like '%.xlsx' "
            "and township_code is not null order by file_path limit 1"
        ).fetchone()[0]
    finally:
        con.close()
    wb = openpyxl.load_workbook(sources / rel)
    changed = dated = False
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            if _later_report_date(row):
                dated = True
                continue
            for c in row:
                if not changed and isinstance(c.value, (int, float)) and c.row > 8 and c.value > 10:
                    c.value = c.value + 1
                    changed = True
    if not (changed and dated):
        raise SystemExit(f"{rel}: found no 报出日期 or no figure to change for the resubmission")
    target = sources / "inbox" / "更正" / ("更正-" + Path(rel).name)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def stack_startup(warehouse: Path) -> tuple[float, float]:
    """What the required stack costs before any work, each in a fresh process: importing the
    libraries the job runs on (Dagster, dagster-dbt, Great Expectations, pandas, DuckDB), and
    dbt starting up on this project (``dbt ls``: load the project, the adapter and the parsed
    manifest - the least a ``dbt build`` pays before its first model)."""
    import os

    from huizong import DBT_PROJECT_DIR

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import dagster, dagster_dbt, great_expectations, pandas, duckdb"], check=True)
    imports = time.perf_counter() - t0
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "HUIZONG_WAREHOUSE": str(warehouse)}
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "target"
        target.mkdir()
        state = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
        if state.exists():
            shutil.copyfile(state, target / state.name)
        cmd = [str(dbt), "ls", "--quiet", "--resource-type", "model", "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target), "--log-path", tmp]
        subprocess.run(cmd, env=env, check=True, capture_output=True)  # once: the parse state for this profile
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        dbt_start = time.perf_counter() - t0
    return imports, dbt_start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="province")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    generated = province_inbox(args.seed, args.scale)
    work = BENCH_DIR / f"nightly-{args.scale}-{args.seed}"
    shutil.rmtree(work, ignore_errors=True)
    sources = work / "sources"
    shutil.copytree(generated, sources, ignore=shutil.ignore_patterns("truth", ".complete"))
    warehouse, exports = work / "huizong.duckdb", work / "exports"

    files = inbox_files(sources)
    villages = sum(1 for line in (sources / "reference" / "areas.csv").read_text(encoding="utf-8").splitlines() if ",village," in line)
    print(f"inbox: {len(files)} files, {villages} village rows in the registry")
    floor, cells = raw_read_floor(files)
    print(f"raw-read floor (calamine, every cell): {floor:.1f} s for {cells:,} non-empty cells")

    print("full run (fresh warehouse) ...", flush=True)
    full, rss_full = huizong_run(sources, warehouse, exports)
    print("re-run with no changes ...", flush=True)
    again, rss_again = huizong_run(sources, warehouse, exports)
    target = resubmit_one_township(sources, warehouse)
    print(f"re-run after one township resubmits ({target.name}) ...", flush=True)
    resub, rss_resub = huizong_run(sources, warehouse, exports)

    imports, dbt_start = stack_startup(warehouse)

    print()
    print(f"{'raw-read floor':34s} {floor:8.1f} s")
    print(f"{'full huizong run':34s} {full:8.1f} s   = {full / floor:.2f} x floor (target <= 3)")
    print(f"{'the stack starting up, no work':34s} {imports + dbt_start:8.1f} s   = {(imports + dbt_start) / floor:.2f} x floor"
          f" (imports {imports:.1f} s, dbt start-up {dbt_start:.1f} s)")
    print(f"{'re-run, no changes':34s} {again:8.1f} s   = {100 * again / full:.1f} % of full (target <= 10 %)")
    print(f"{'re-run, one township resubmitted':34s} {resub:8.1f} s")
    print(f"{'peak memory':34s} {max(rss_full, rss_again, rss_resub):8.0f} MB  (target <= 2048)")


if __name__ == "__main__":
    main()
