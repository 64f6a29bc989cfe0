"""Small DuckDB helpers shared by the stages that read the warehouse defensively."""

from __future__ import annotations

import duckdb


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    """The column names of ``schema.table`` (empty when it does not exist)."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}


def column_or_null(cols: set[str], name: str, cast: str = "varchar") -> str:
    """``name`` when the table has it, else a typed NULL under that name (older warehouses)."""
    return name if name in cols else f"cast(null as {cast}) as {name}"


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(table_columns(con, schema, table))
