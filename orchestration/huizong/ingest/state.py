"""``raw.ingest_state``: what the last build read, by key (the reader's inputs, the build's
inputs), so a run can tell whether anything it depends on changed."""

from __future__ import annotations

import duckdb


def state_get(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """The value stored under ``key``; None when there is none (or no state table yet: works
    on a read-only connection)."""
    try:
        row = con.execute("select value from raw.ingest_state where key = ?", [key]).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def state_put(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("create table if not exists raw.ingest_state (key varchar primary key, value varchar)").fetchall()
    con.execute("insert or replace into raw.ingest_state values (?, ?)", [key, value]).fetchall()
