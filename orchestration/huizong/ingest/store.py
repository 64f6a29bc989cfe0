"""The raw schema of the warehouse: what the reader writes, with every number's provenance.

Tables (schema ``raw``):
- ``files``       one row per inbox file seen, keyed by path, with its content hash;
- ``submissions`` one row per form sheet read (form, period, reporting unit, 报出日期);
- ``rows``        one row per data row of a form (village / total / county), matched or not;
- ``cells``       one row per reported number: file, sheet, cell, form, period, township,
                  area, row kind, indicator, raw text and value in the canonical unit;
- ``areas``, ``subsidy_rates``: the reference data as given.
"""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from huizong.ingest.submission import FileOutcome

DDL = """
create schema if not exists raw;
create table if not exists raw.files (
    file_path varchar primary key, sha256 varchar, size_bytes bigint, status varchar,
    message varchar, form_codes varchar, period varchar, township_code varchar,
    rows_loaded integer, read_at timestamp
);
create table if not exists raw.submissions (
    submission_id varchar primary key, file_path varchar, sheet_name varchar, form_code varchar,
    period varchar, reporter_code varchar, reporter_level varchar, report_date date,
    declared_units varchar, issuer varchar, content_hash varchar, n_rows integer
);
create table if not exists raw.rows (
    submission_id varchar, file_path varchar, sheet_name varchar, row_number integer,
    row_kind varchar, name_raw varchar, code_raw varchar, area_code varchar, reported boolean
);
create table if not exists raw.cells (
    submission_id varchar, file_path varchar, sheet_name varchar, cell varchar,
    row_number integer, form_code varchar, period varchar, township_code varchar,
    area_code varchar, area_name varchar, row_kind varchar, indicator_code varchar,
    raw_text varchar, value double
);
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def known_files(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("select file_path, sha256 from raw.files").fetchall())


def _frames(outcomes: list[FileOutcome]) -> dict[str, pd.DataFrame]:
    files, subs, rows, cells = [], [], [], []
    now = pd.Timestamp.now()
    for o in outcomes:
        f = o.file
        forms = ",".join(sorted({s.form_code for s in o.sheets}))
        periods = sorted({s.period for s in o.sheets})
        reporters = sorted({s.reporter.code for s in o.sheets})
        files.append(
            (f.rel_path, f.sha256, f.size, o.status, o.message or None, forms or None,
             ",".join(periods) or None, ",".join(reporters) or None, o.rows_loaded, now)
        )
        for s in o.sheets:
            sid = hashlib.sha1(f"{f.rel_path}\x00{s.sheet_name}".encode()).hexdigest()[:16]
            content = hashlib.sha1(repr(s.content_key()).encode()).hexdigest()
            subs.append(
                (sid, f.rel_path, s.sheet_name, s.form_code, s.period, s.reporter.code, s.reporter.level,
                 s.report_date, "、".join(s.declared_units) or None, s.issuer, content, len(s.rows))
            )
            for r in s.rows:
                rows.append((sid, f.rel_path, s.sheet_name, r.row_number, r.row_kind, r.name_raw, r.code_raw or None, r.area_code, r.reported))
                for c in r.cells:
                    cells.append(
                        (sid, f.rel_path, s.sheet_name, c.cell, r.row_number, s.form_code, s.period, s.reporter.code,
                         r.area_code, r.name_raw, r.row_kind, c.indicator_code, c.raw_text, c.value)
                    )
    cols = {
        "files": ["file_path", "sha256", "size_bytes", "status", "message", "form_codes", "period", "township_code", "rows_loaded", "read_at"],
        "submissions": ["submission_id", "file_path", "sheet_name", "form_code", "period", "reporter_code", "reporter_level",
                        "report_date", "declared_units", "issuer", "content_hash", "n_rows"],
        "rows": ["submission_id", "file_path", "sheet_name", "row_number", "row_kind", "name_raw", "code_raw", "area_code", "reported"],
        "cells": ["submission_id", "file_path", "sheet_name", "cell", "row_number", "form_code", "period", "township_code",
                  "area_code", "area_name", "row_kind", "indicator_code", "raw_text", "value"],
    }
    data = {"files": files, "submissions": subs, "rows": rows, "cells": cells}
    return {name: pd.DataFrame(data[name], columns=cols[name]) for name in cols}


def replace_files(con: duckdb.DuckDBPyConnection, outcomes: list[FileOutcome], removed: list[str]) -> None:
    """Withdraw every previous contribution of the given files (re-read or removed) and
    write the new outcomes, in one transaction: a failure leaves the raw schema as it was."""
    paths = [o.file.rel_path for o in outcomes] + list(removed)
    frames = _frames(outcomes)
    con.execute("begin transaction")
    try:
        if paths:
            con.execute("create or replace temp table _gone as select unnest(?::varchar[]) as file_path", [paths])
            for table in ("cells", "rows", "submissions", "files"):
                con.execute(f"delete from raw.{table} where file_path in (select file_path from _gone)")
        for name, frame in frames.items():
            if len(frame):
                con.register("_frame", frame)
                con.execute(f"insert into raw.{name} by name select * from _frame")
                con.unregister("_frame")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def load_reference(con: duckdb.DuckDBPyConnection, areas_csv: str, rates_csv: str) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        """create or replace table raw.areas as
           select lpad(cast(code as varchar), 12, '0') as code, name, level,
                  nullif(cast(parent_code as varchar), '') as parent_code,
                  cast(valid_from as integer) as valid_from, cast(nullif(valid_to, '') as integer) as valid_to,
                  nullif(cast(successor_code as varchar), '') as successor_code,
                  nullif(cast(aliases as varchar), '') as aliases
           from read_csv(?, header = true, all_varchar = true)""",
        [areas_csv],
    )
    con.execute(
        """create or replace table raw.subsidy_rates as
           select cast(year as integer) as year, amount_code, count_code, cast(rate as double) as rate
           from read_csv(?, header = true, all_varchar = true)""",
        [rates_csv],
    )
