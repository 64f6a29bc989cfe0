"""The full rule set (issue 4) on a province-scale warehouse: times the declared rules and
the Great Expectations suites separately.

    .venv/bin/python benchmarks/bench_rules.py [WAREHOUSE]

WAREHOUSE defaults to the one bench_nightly.py builds; the script works on a copy.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DIR, peak_rss_mb  # noqa: E402


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else BENCH_DIR / "nightly-province-7" / "huizong.duckdb"
    if not source.exists():
        raise SystemExit(f"{source} not found: run benchmarks/bench_nightly.py first")
    with tempfile.TemporaryDirectory() as tmp:
        wh = Path(tmp) / "w.duckdb"
        shutil.copyfile(source, wh)
        con = duckdb.connect(str(wh))
        cells = con.execute("select count(*) from raw.cells").fetchone()[0]
        from huizong.dq import load_rules, run_gx, run_rules

        n_rules = len(load_rules())
        t0 = time.perf_counter()
        n = run_rules(con)
        t1 = time.perf_counter()
        g = run_gx(con, docs_dir=Path(tmp) / "docs")
        t2 = time.perf_counter()
        by = con.execute("select family, severity, count(*) from marts.dq_issues group by 1, 2 order by 1, 2").fetchall()
        con.close()
    print(f"warehouse: {cells:,} raw cells")
    print(f"{n_rules} declared rules: {n:,} findings in {t1 - t0:.1f} s")
    print(f"Great Expectations suites: {g:,} findings in {t2 - t1:.1f} s (import and Data Docs included)")
    for family, severity, count in by:
        print(f"    {family:14s} {severity:8s} {count:8,d}")
    print(f"peak memory: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
