"""Publish the official tables: ``export_all`` (the nightly step) and ``release`` (an
authorised person publishes a withheld table anyway, with a written reason).

For each table: lay it out, ask the gate which error findings touch it, then
- **released** - the log holds a release for it whose fingerprint (the table's CSV bytes and
  the findings blocking it) is unchanged: written, and the release (reason, who, when) kept.
  A release therefore lasts until the data changes: a new figure, a new 报出日期, or a
  different set of blocking findings makes it lapse, and the table is gated afresh.
- **withheld** - error findings touch it: not written (a file left from an earlier export is
  removed), reason = the rule ids and their counts.
- **written** - otherwise.

Files: ``<exports_dir>/<period>/<form_code>_<area_code>.xlsx`` and ``.csv``. Files of this
naming pattern that belong to no written table are removed, so the folder always shows
exactly what passed the gate (or was released).

Incremental: a table is only laid out and hashed when nothing changed (cheap); its files are
left alone when the log says the last export gave it the same status, fingerprint and path,
written by the same renderer, and both files on disk are still what was written (the CSV
equals the bytes computed now, the xlsx has the sha256 logged). Anything else - a new
figure, a lapsed release, a deleted or edited file, new layout code - rewrites it. The log
gets one row per table every run either way.

Parallel: more than ``PARALLEL_MIN`` tables are each laid out, decided and written
(``_export_one``) by a pool of ``EXPORT_WORKERS`` processes (``spawn``: the caller's threads,
e.g. DuckDB's, are not forked; a script calling ``export_all`` at top level must guard it
with ``if __name__ == "__main__"``). The files do not depend on which process wrote them.

Shared work: ``plan_tables`` (the gate) remembers its plan with a signature of what it read
(``snapshot_signature``); ``export_all`` on the same unchanged data, even through another
connection, takes the plan instead of reading and building the tables again. A caller can
also pass the plan explicitly (``export_all(..., planned=plan_tables(con))``).
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable

import duckdb

from huizong.catalog import Catalog, default_catalog
from huizong.export.csvfile import csv_bytes, write_csv
from huizong.export.gate import blocking_findings, withheld_reason
from huizong.export.grid import Grid, layout
from huizong.export.log import LogRow, read_log, replace_log, upsert_log
from huizong.export.tables import PUBLISHING_LEVELS, OfficialTable, build_tables
from huizong.export.warehouse import Finding, Snapshot, load_snapshot, snapshot_signature
from huizong.export.xlsx import write_xlsx
from huizong.ingest.files import file_sha256

WRITTEN, WITHHELD, RELEASED = "written", "withheld", "released"
EXPORT_WORKERS = 2  # the production machine has 2 cores; HUIZONG_EXPORT_WORKERS overrides
PARALLEL_MIN = 50  # this many tables or fewer: one process (a pool costs ~1 s to start)
# The modules whose code shapes the files (a change rewrites every table once).
_RENDER_MODULES = ("tables", "grid", "text", "csvfile", "xlsx")
_OUR_FILE = re.compile(r"^(FP[0-9A-Z]+)_(\d{12})\.(xlsx|csv)$")
_PERIOD_DIR = re.compile(r"^\d{4}(H[12])?$")
_log = logging.getLogger(__name__)


class NoSuchTable(KeyError):
    """No official table for that period, form and area."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class TableOutcome:
    period: str
    form_code: str
    area_code: str
    area_name: str
    status: str
    path: Path | None
    reason: str | None = None
    findings: tuple[Finding, ...] = ()
    files_written: bool = False  # this export wrote the files (False: withheld, or left unchanged)

    @property
    def csv_path(self) -> Path | None:
        return self.path.with_suffix(".csv") if self.path else None

    @property
    def paths(self) -> list[Path]:
        """The files written (xlsx and csv); none when withheld."""
        return [self.path, self.csv_path] if self.path else []

    def __iter__(self):
        return iter(self.paths)


@dataclass
class ExportSummary:
    exports_dir: Path
    outcomes: list[TableOutcome] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    def _with(self, status: str) -> list[TableOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def written(self) -> list[TableOutcome]:
        return self._with(WRITTEN)

    @property
    def withheld(self) -> list[TableOutcome]:
        return self._with(WITHHELD)

    @property
    def released(self) -> list[TableOutcome]:
        return self._with(RELEASED)

    @property
    def rewritten(self) -> list[TableOutcome]:
        """Published tables whose files this export wrote."""
        return [o for o in self.outcomes if o.status != WITHHELD and o.files_written]

    @property
    def unchanged(self) -> list[TableOutcome]:
        """Published tables whose files were already what this export would write."""
        return [o for o in self.outcomes if o.status != WITHHELD and not o.files_written]

    def counts(self) -> dict[str, int]:
        return {s: len(self._with(s)) for s in (WRITTEN, WITHHELD, RELEASED)}

    def as_dict(self) -> dict:
        return {
            "exports_dir": str(self.exports_dir),
            **self.counts(),
            "files_rewritten": len(self.rewritten),
            "files_unchanged": len(self.unchanged),
            "withheld_tables": [
                {"period": o.period, "form_code": o.form_code, "area_code": o.area_code, "reason": o.reason}
                for o in self.withheld
            ],
        }

    # read as a mapping too (``summary.items()``, ``summary["withheld"]``), e.g. for metadata
    def items(self):
        return self.as_dict().items()

    def __getitem__(self, key: str):
        return self.as_dict()[key]

    def __str__(self) -> str:
        c = self.counts()
        return (f"tables written {c[WRITTEN]}, withheld {c[WITHHELD]}, released {c[RELEASED]} -> {self.exports_dir}"
                f" (files rewritten for {len(self.rewritten)}, unchanged for {len(self.unchanged)})")


Plan = list[tuple[OfficialTable, tuple[Finding, ...]]]
Progress = Callable[[int, int, str], None]


@dataclass
class _Decision:
    """What the export did with one table (made by ``_export_one``, in a worker or here)."""
    key: tuple[str, str, str]
    fingerprint: str
    path: Path
    status: str
    reason: str | None = None
    released_by: str | None = None
    released_at: datetime | None = None
    xlsx_sha256: str | None = None  # the files' xlsx hash: known when left intact or once written
    files_written: bool = False
    removed: tuple[Path, ...] = ()  # files of a withheld table taken away


def table_path(exports_dir: Path, table: OfficialTable) -> Path:
    return Path(exports_dir).resolve() / table.period / f"{table.stem}.xlsx"


def _fingerprint(data: bytes, blocking: tuple[Finding, ...]) -> str:
    h = hashlib.sha256(data)
    for f in blocking:
        h.update(repr((f.rule_id, f.period, f.area_code, f.indicator_codes, f.observed, f.expected)).encode())
    return h.hexdigest()


def _laid_out(table: OfficialTable, blocking: tuple[Finding, ...]) -> tuple[Grid, bytes, str]:
    """The table's grid, its CSV bytes and its fingerprint (CSV + blocking findings)."""
    grid = layout(table)
    data = csv_bytes(grid)
    return grid, data, _fingerprint(data, blocking)


def _write_files(grid: Grid, data: bytes, path: Path, table: OfficialTable) -> str:
    """Write the table's xlsx and CSV; returns the xlsx's sha256."""
    digest = write_xlsx(grid, path, stamp=table.report_date)
    write_csv(data, path.with_suffix(".csv"))
    return digest


@lru_cache(maxsize=1)
def renderer_version() -> str:
    """A digest of the code that lays out and writes the files (and of xlsxwriter's version):
    a table written by other code is rewritten even when its figures did not change."""
    import importlib

    import xlsxwriter

    import huizong.xlsx_print

    h = hashlib.sha256(f"xlsxwriter {xlsxwriter.__version__}".encode())
    for module in [importlib.import_module(f"huizong.export.{m}") for m in _RENDER_MODULES] + [huizong.xlsx_print]:
        h.update(module.__name__.encode())
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()[:16]


def _intact(prev: LogRow | None, status: str, fingerprint: str, data: bytes, path: Path, renderer: str) -> str | None:
    """The logged xlsx hash when the table's files need not be written again: the last
    export gave it the same status and fingerprint at the same path with the same renderer,
    and the files on disk are still the ones it wrote. None: write them."""
    if (prev is None or prev.status != status or prev.fingerprint != fingerprint or prev.path != str(path)
            or prev.renderer != renderer or not prev.xlsx_sha256):
        return None
    try:
        if path.with_suffix(".csv").read_bytes() != data or file_sha256(path) != prev.xlsx_sha256:
            return None
    except OSError:  # missing (deleted) or unreadable
        return None
    return prev.xlsx_sha256


def _pool_size(n_tables: int, workers: int | None) -> int:
    if workers is None:
        if n_tables <= PARALLEL_MIN:
            return 1
        workers = min(int(os.environ.get("HUIZONG_EXPORT_WORKERS", EXPORT_WORKERS)), os.cpu_count() or 1)
    return max(1, min(workers, n_tables))


_Job = tuple[OfficialTable, tuple[Finding, ...], "LogRow | None", str, str]  # table, blocking, log row, path, renderer


def _export_one(job: _Job) -> _Decision:
    """One table, start to end: lay it out (once), fingerprint it, decide its status from the
    gate's findings and the log's last row (a release holds while the fingerprint does), and
    write its xlsx and CSV unless the files on disk are already what it would write - or
    remove them when it is withheld. The unit of work of the export's process pool (a table
    pickles small); a pure function of the job and the files, whichever process runs it."""
    table, blocking, prev, path, renderer = job
    path = Path(path)
    grid, data, fingerprint = _laid_out(table, blocking)
    d = _Decision(table.key, fingerprint, path, WRITTEN)
    if prev is not None and prev.status == RELEASED and prev.fingerprint == fingerprint:
        d.status, d.reason = RELEASED, prev.reason
        d.released_by, d.released_at = prev.released_by, prev.released_at
    elif blocking:
        d.status, d.reason = WITHHELD, withheld_reason(list(blocking))
        if prev is not None and prev.status == RELEASED:
            d.reason += (
                f"; the release by {prev.released_by} at {prev.released_at:%Y-%m-%d %H:%M}"
                f" ({prev.reason}) lapsed: the table changed since"
            )
    if d.status == WITHHELD:
        d.removed = tuple(_remove(path))
        return d
    d.xlsx_sha256 = _intact(prev, d.status, fingerprint, data, path, renderer)
    if d.xlsx_sha256 is None:
        d.xlsx_sha256 = _write_files(grid, data, path, table)
        d.files_written = True
    return d


def _export_tables(jobs: list[_Job], workers: int | None, progress: Progress | None = None) -> list[_Decision]:
    """``_export_one`` for every job, in order: in this process for a few tables, else in a
    pool of processes (``spawn``: the caller's threads, e.g. DuckDB's, are not forked).
    ``progress(i, n, table)`` after each table."""
    n = _pool_size(len(jobs), workers)
    decided: list[_Decision] = []

    def done(results) -> list[_Decision]:
        for d in results:
            decided.append(d)
            if progress is not None:
                progress(len(decided), len(jobs), f"{d.status}: {'/'.join(d.key)}")
        return decided

    if n <= 1:
        return done(_export_one(job) for job in jobs)
    chunk = max(1, min(32, len(jobs) // (8 * n)))
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn")) as pool:
        return done(pool.map(_export_one, jobs, chunksize=chunk))


# -- the plan: which tables, and what blocks each; shared by the gate and the export ------------

# The last plan made by ``plan_tables``: (signature, catalog, export_date, day, plan).
_remembered: tuple[str, Catalog, date | None, date, tuple] | None = None


def _plan(con: duckdb.DuckDBPyConnection, catalog: Catalog, export_date: date | None) -> Plan:
    snap = load_snapshot(con, PUBLISHING_LEVELS)
    return [(t, tuple(blocking_findings(t, snap))) for t in build_tables(snap, catalog, export_date)]


def _recall(con: duckdb.DuckDBPyConnection, catalog: Catalog, export_date: date | None) -> Plan | None:
    """The plan ``plan_tables`` last made, if it was made from the same data, catalog and
    dates; used once (the memory is freed)."""
    global _remembered
    memo, _remembered = _remembered, None
    if memo is None:
        return None
    signature, cat, when, day, plan = memo
    if cat is not catalog or when != export_date or day != date.today():
        return None
    if snapshot_signature(con, PUBLISHING_LEVELS) != signature:
        return None
    return list(plan)


def _tables(con, catalog, export_date) -> tuple[Snapshot, list[OfficialTable]]:
    snap = load_snapshot(con, PUBLISHING_LEVELS)
    return snap, build_tables(snap, catalog or default_catalog(), export_date)


def plan_tables(
    con: duckdb.DuckDBPyConnection, *, catalog: Catalog | None = None, export_date: date | None = None
) -> Plan:
    """Every official table the marts can fill, with the error findings that block it. The
    plan is remembered (with a signature of the data it was made from) for the next
    ``export_all``, which reuses it if the data is still the same."""
    global _remembered
    catalog = catalog or default_catalog()
    signature = snapshot_signature(con, PUBLISHING_LEVELS)
    plan = _plan(con, catalog, export_date)
    _remembered = (signature, catalog, export_date, date.today(), tuple(plan))
    return plan


def export_all(
    con: duckdb.DuckDBPyConnection,
    exports_dir: str | Path,
    *,
    catalog: Catalog | None = None,
    export_date: date | None = None,
    log: logging.Logger | logging.LoggerAdapter | None = None,
    planned: Plan | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write every official table that passes the gate (or stays released), withhold the
    others, and record each in ``marts.export_log``. ``export_date`` is the 报出日期 of a
    table that no submission fed, when the warehouse does not say when it was loaded.

    ``planned``: the tables and their blocking findings as ``plan_tables`` returned them for
    this connection's current data (then ``catalog`` and ``export_date`` are not used);
    otherwise the gate's remembered plan is taken if the data is unchanged, else the tables
    are built here. ``workers``: processes laying out and writing the tables (default:
    ``EXPORT_WORKERS`` for more than ``PARALLEL_MIN`` tables, else 1). ``progress(i, n,
    what)``: called after each table."""
    exports_dir = Path(exports_dir).resolve()
    catalog = catalog or default_catalog()
    if planned is None:
        planned = _recall(con, catalog, export_date)
    if planned is None:
        planned = _plan(con, catalog, export_date)
    previous = read_log(con)
    renderer = renderer_version()
    now = datetime.now()
    summary = ExportSummary(exports_dir)
    jobs = [(table, tuple(blocking), previous.get(table.key), str(table_path(exports_dir, table)), renderer)
            for table, blocking in planned]
    decided = _export_tables(jobs, workers, progress)
    kept: set[Path] = set()
    rows: list[LogRow] = []
    for (table, blocking, *_), d in zip(jobs, decided):
        published = d.status != WITHHELD
        summary.removed += list(d.removed)
        if published:
            kept |= {d.path, d.path.with_suffix(".csv")}
        summary.outcomes.append(
            TableOutcome(table.period, table.form_code, table.area_code, table.area_name, d.status,
                         d.path if published else None, d.reason, blocking, d.files_written)
        )
        rows.append(LogRow(table.period, table.form_code, table.area_code, d.status,
                           str(d.path) if published else None, d.reason, d.released_by, d.released_at,
                           d.fingerprint, now, d.xlsx_sha256, renderer if published else None))
    summary.removed += _remove_stale(exports_dir, kept)
    replace_log(con, rows)
    logger = log or _log
    for o in summary.withheld:
        logger.warning(f"withheld {o.period} {o.form_code} {o.area_code} {o.area_name}: {o.reason}")
    logger.info(str(summary))
    return summary


def _remove(path: Path) -> list[Path]:
    gone = []
    for f in (path, path.with_suffix(".csv")):
        if f.exists():
            f.unlink()
            gone.append(f)
    return gone


def _remove_stale(exports_dir: Path, kept: set[Path]) -> list[Path]:
    """Files named like an official table that no table of this export wrote."""
    gone = []
    if not exports_dir.is_dir():
        return gone
    for period_dir in sorted(exports_dir.iterdir()):
        if not (period_dir.is_dir() and _PERIOD_DIR.match(period_dir.name)):
            continue
        for f in sorted(period_dir.iterdir()):
            if f.is_file() and _OUR_FILE.match(f.name) and f not in kept:
                f.unlink()
                gone.append(f)
    return gone


def release(
    con: duckdb.DuckDBPyConnection,
    exports_dir: str | Path,
    period: str,
    form_code: str,
    area_code: str,
    reason: str,
    released_by: str | None = None,
    *,
    catalog: Catalog | None = None,
    export_date: date | None = None,
) -> TableOutcome:
    """Write one table whatever its findings and record ``released`` with the reason and who
    (default: the OS user). The release holds for later exports until the data changes.
    Iterating over the returned outcome gives the two files written. Raises ``ValueError``
    without a reason and ``NoSuchTable`` (a ``KeyError``) for a table that does not exist."""
    if not reason or not reason.strip():
        raise ValueError("a release needs a written reason")
    released_by = (released_by or "").strip() or getpass.getuser()
    exports_dir = Path(exports_dir).resolve()
    snap, tables = _tables(con, catalog, export_date)
    key = (period, form_code, area_code)
    match = [t for t in tables if t.key == key]
    if not match:
        raise NoSuchTable(f"no official table {form_code} {area_code} for period {period}")
    table = match[0]
    blocking = tuple(blocking_findings(table, snap))
    grid, data, fingerprint = _laid_out(table, blocking)
    path = table_path(exports_dir, table)
    xlsx_hash = _write_files(grid, data, path, table)
    now = datetime.now()
    upsert_log(con, LogRow(period, form_code, area_code, RELEASED, str(path), reason.strip(), released_by, now,
                           fingerprint, now, xlsx_hash, renderer_version()))
    return TableOutcome(period, form_code, area_code, table.area_name, RELEASED, path, reason.strip(), blocking,
                        files_written=True)
