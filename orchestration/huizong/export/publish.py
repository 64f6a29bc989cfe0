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
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from huizong.catalog import Catalog, default_catalog
from huizong.export.csvfile import csv_bytes, write_csv
from huizong.export.gate import blocking_findings, withheld_reason
from huizong.export.grid import Grid, layout
from huizong.export.log import LogRow, read_log, replace_log, upsert_log
from huizong.export.tables import OfficialTable, build_tables
from huizong.export.warehouse import Finding, Snapshot, load_snapshot
from huizong.export.xlsx import write_xlsx

WRITTEN, WITHHELD, RELEASED = "written", "withheld", "released"
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

    def counts(self) -> dict[str, int]:
        return {s: len(self._with(s)) for s in (WRITTEN, WITHHELD, RELEASED)}

    def as_dict(self) -> dict:
        return {
            "exports_dir": str(self.exports_dir),
            **self.counts(),
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
        return f"tables written {c[WRITTEN]}, withheld {c[WITHHELD]}, released {c[RELEASED]} -> {self.exports_dir}"


@dataclass(frozen=True)
class _Prepared:
    table: OfficialTable
    grid: Grid
    csv: bytes
    blocking: tuple[Finding, ...]
    fingerprint: str


def table_path(exports_dir: Path, table: OfficialTable) -> Path:
    return Path(exports_dir).resolve() / table.period / f"{table.stem}.xlsx"


def _fingerprint(data: bytes, blocking: tuple[Finding, ...]) -> str:
    h = hashlib.sha256(data)
    for f in blocking:
        h.update(repr((f.rule_id, f.period, f.area_code, f.indicator_codes, f.observed, f.expected)).encode())
    return h.hexdigest()


def _prepare(snap: Snapshot, table: OfficialTable) -> _Prepared:
    grid = layout(table)
    data = csv_bytes(grid)
    blocking = tuple(blocking_findings(table, snap))
    return _Prepared(table, grid, data, blocking, _fingerprint(data, blocking))


def _write(p: _Prepared, path: Path) -> None:
    write_xlsx(p.grid, path, stamp=p.table.report_date)
    write_csv(p.csv, path.with_suffix(".csv"))


def _remove(path: Path) -> list[Path]:
    gone = []
    for f in (path, path.with_suffix(".csv")):
        if f.exists():
            f.unlink()
            gone.append(f)
    return gone


def _tables(con, catalog, export_date) -> tuple[Snapshot, list[OfficialTable]]:
    snap = load_snapshot(con)
    return snap, build_tables(snap, catalog or default_catalog(), export_date)


def plan_tables(
    con: duckdb.DuckDBPyConnection, *, catalog: Catalog | None = None, export_date: date | None = None
) -> list[tuple[OfficialTable, tuple[Finding, ...]]]:
    """Every official table the marts can fill, with the error findings that block it."""
    snap, tables = _tables(con, catalog, export_date)
    return [(t, tuple(blocking_findings(t, snap))) for t in tables]


def export_all(
    con: duckdb.DuckDBPyConnection,
    exports_dir: str | Path,
    *,
    catalog: Catalog | None = None,
    export_date: date | None = None,
    log: logging.Logger | logging.LoggerAdapter | None = None,
) -> ExportSummary:
    """Write every official table that passes the gate (or stays released), withhold the
    others, and record each in ``marts.export_log``. ``export_date`` is the 报出日期 of a
    table that no submission fed, when the warehouse does not say when it was loaded."""
    exports_dir = Path(exports_dir).resolve()
    snap, tables = _tables(con, catalog, export_date)
    previous = read_log(con)
    now = datetime.now()
    summary = ExportSummary(exports_dir)
    rows: list[LogRow] = []
    kept: set[Path] = set()
    for table in tables:
        p = _prepare(snap, table)
        path = table_path(exports_dir, table)
        prev = previous.get(table.key)
        if prev is not None and prev.status == RELEASED and prev.fingerprint == p.fingerprint:
            status, reason = RELEASED, prev.reason
            released_by, released_at = prev.released_by, prev.released_at
        elif p.blocking:
            status, reason, released_by, released_at = WITHHELD, withheld_reason(list(p.blocking)), None, None
            if prev is not None and prev.status == RELEASED:
                reason += (
                    f"; the release by {prev.released_by} at {prev.released_at:%Y-%m-%d %H:%M}"
                    f" ({prev.reason}) lapsed: the table changed since"
                )
        else:
            status, reason, released_by, released_at = WRITTEN, None, None, None
        if status == WITHHELD:
            summary.removed += _remove(path)
        else:
            _write(p, path)
            kept |= {path, path.with_suffix(".csv")}
        summary.outcomes.append(
            TableOutcome(table.period, table.form_code, table.area_code, table.area_name, status,
                         path if status != WITHHELD else None, reason, p.blocking)
        )
        rows.append(LogRow(table.period, table.form_code, table.area_code, status,
                          str(path) if status != WITHHELD else None, reason, released_by, released_at,
                          p.fingerprint, now))
    summary.removed += _remove_stale(exports_dir, kept)
    replace_log(con, rows)
    logger = log or _log
    for o in summary.withheld:
        logger.warning(f"withheld {o.period} {o.form_code} {o.area_code} {o.area_name}: {o.reason}")
    logger.info(str(summary))
    return summary


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
    p = _prepare(snap, table)
    path = table_path(exports_dir, table)
    _write(p, path)
    now = datetime.now()
    upsert_log(con, LogRow(period, form_code, area_code, RELEASED, str(path), reason.strip(), released_by, now,
                           p.fingerprint, now))
    return TableOutcome(period, form_code, area_code, table.area_name, RELEASED, path, reason.strip(), p.blocking)
