"""``marts.export_log``: one row per official table with what the last export did to it.

Columns: ``period, form_code, area_code, status (written | withheld | released), path (the
xlsx; the CSV beside it has the same stem; NULL when withheld), reason (rule ids and counts
when withheld; the written reason when released), released_by, released_at, fingerprint
(sha256 of the table's CSV bytes and of the error findings blocking it), exported_at,
xlsx_sha256 (sha256 of the xlsx file as written; NULL when withheld), renderer (the version of
the code that laid out and wrote the files)``. The last two let an export leave a table's
files alone when nothing in it changed and the files on disk are still the ones written.

The table is the only thing exports write in the warehouse. It is created here if missing,
and columns this module needs are added to an existing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

COLUMNS = (
    ("period", "varchar"),
    ("form_code", "varchar"),
    ("area_code", "varchar"),
    ("status", "varchar"),
    ("path", "varchar"),
    ("reason", "varchar"),
    ("released_by", "varchar"),
    ("released_at", "timestamp"),
    ("fingerprint", "varchar"),
    ("exported_at", "timestamp"),
    ("xlsx_sha256", "varchar"),
    ("renderer", "varchar"),
)
NAMES = tuple(c for c, _ in COLUMNS)


@dataclass(frozen=True)
class LogRow:
    period: str
    form_code: str
    area_code: str
    status: str
    path: str | None
    reason: str | None
    released_by: str | None
    released_at: datetime | None
    fingerprint: str | None
    exported_at: datetime | None
    xlsx_sha256: str | None = None
    renderer: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.period, self.form_code, self.area_code)

    def values(self) -> tuple:
        return tuple(getattr(self, c) for c in NAMES)


def ensure_log(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists marts")
    con.execute(f"create table if not exists marts.export_log ({', '.join(f'{c} {t}' for c, t in COLUMNS)})")
    for c, t in COLUMNS:
        con.execute(f"alter table marts.export_log add column if not exists {c} {t}")


def read_log(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], LogRow]:
    ensure_log(con)
    rows = con.execute(f"select {', '.join(NAMES)} from marts.export_log").fetchall()
    return {(r[0], r[1], r[2]): LogRow(*r) for r in rows}


def _insert(con: duckdb.DuckDBPyConnection, rows: list[LogRow]) -> None:
    """One statement for all rows: a list per column, unnested side by side (``executemany``
    takes seconds for a province's few thousand tables)."""
    if rows:
        columns = [list(c) for c in zip(*(r.values() for r in rows))]
        select = ", ".join(f"unnest(?::{t}[])" for _, t in COLUMNS)
        con.execute(f"insert into marts.export_log ({', '.join(NAMES)}) select {select}", columns)


def replace_log(con: duckdb.DuckDBPyConnection, rows: list[LogRow]) -> None:
    """The log after a full export: exactly one row per table that exists now."""
    ensure_log(con)
    con.execute("begin transaction")
    try:
        con.execute("delete from marts.export_log")
        _insert(con, sorted(rows, key=lambda r: r.key))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def upsert_log(con: duckdb.DuckDBPyConnection, row: LogRow) -> None:
    ensure_log(con)
    con.execute("begin transaction")
    try:
        con.execute(
            "delete from marts.export_log where period = ? and form_code = ? and area_code = ?", list(row.key)
        )
        _insert(con, [row])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
