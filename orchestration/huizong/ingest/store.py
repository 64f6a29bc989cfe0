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

import datetime as dt
import hashlib
import math
from array import array

import duckdb
import numpy as np
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


_SEP = "\x1f"  # joins a batch's raw texts into one string (a unit separator no cell holds)


class Batch:
    """The raw rows of some files, columnar: cheap to send from a worker to the writer.

    files / submissions are small and kept as tuples; rows and cells are columns (arrays of
    numbers, lists or one joined string of texts). Cell context (file, sheet, form, period,
    township, area, row kind, indicator) is not repeated per cell: it is joined back from the
    submission, row and column tables when the batch is inserted.
    """

    def __init__(self):
        self.paths: list[str] = []
        self.files: list[tuple] = []
        self.subs: list[tuple] = []
        # per row: sub index, row number, kind, name, code, area, reported
        self.r_sub, self.r_num, self.r_kind = array("I"), array("I"), []
        self.r_name, self.r_code, self.r_area, self.r_rep = [], [], [], array("b")
        # per (sub, column position): letter, indicator
        self.k_sub, self.k_pos, self.k_letter, self.k_ind = array("I"), array("H"), [], []
        # per cell
        self.c_sub, self.c_num, self.c_pos, self.c_value = array("I"), array("I"), array("H"), array("d")
        self.c_raw: list[str] | str = []

    @classmethod
    def from_outcomes(cls, outcomes: list[FileOutcome]) -> "Batch":
        b = cls()
        now = dt.datetime.now()
        nan = math.nan
        raws: list[str] = []
        for o in outcomes:
            f = o.file
            b.paths.append(f.rel_path)
            forms = ",".join(sorted({s.form_code for s in o.sheets}))
            periods = sorted({s.period for s in o.sheets})
            reporters = sorted({s.reporter.code for s in o.sheets})
            b.files.append(
                (f.rel_path, f.sha256, f.size, o.status, o.message or None, forms or None,
                 ",".join(periods) or None, ",".join(reporters) or None, o.rows_loaded, now)
            )
            for s in o.sheets:
                si = len(b.subs)
                sid = submission_id(f.rel_path, s.sheet_name)
                content = hashlib.sha1(repr(s.content_key()).encode()).hexdigest()
                b.subs.append(
                    (si, sid, f.rel_path, s.sheet_name, s.form_code, s.period, s.reporter.code, s.reporter.level,
                     s.report_date, "、".join(s.declared_units) or None, s.issuer, content, len(s.rows))
                )
                columns = s.rows[0].columns if s.rows else tuple((L, c) for c, L in s.columns.items())
                for pos, (letter, code) in enumerate(columns):
                    b.k_sub.append(si)
                    b.k_pos.append(pos)
                    b.k_letter.append(letter)
                    b.k_ind.append(code)
                positions = range(len(columns))
                for r in s.rows:
                    num = r.row_number
                    b.r_sub.append(si)
                    b.r_num.append(num)
                    b.r_kind.append(r.row_kind)
                    b.r_name.append(r.name_raw)
                    b.r_code.append(r.code_raw or None)
                    b.r_area.append(r.area_code)
                    b.r_rep.append(1 if r.reported else 0)
                    if r.values:
                        k = len(r.values)
                        b.c_sub.extend([si] * k)
                        b.c_num.extend([num] * k)
                        b.c_pos.extend(positions[:k])
                        b.c_value.extend([nan if v is None else v for v in r.values])
                        raws.extend(r.raw)
        b.c_raw = _SEP.join(raws) if not any(_SEP in t for t in raws) else raws
        return b

    @property
    def n_cells(self) -> int:
        return len(self.c_value)


def submission_id(rel_path: str, sheet_name: str) -> str:
    return hashlib.sha1(f"{rel_path}\x00{sheet_name}".encode()).hexdigest()[:16]


def _frames(outcomes: list[FileOutcome]) -> dict[str, pd.DataFrame]:
    """The four raw tables of some outcomes as data frames (what ``insert_batch`` writes)."""
    con = duckdb.connect()
    ensure_schema(con)
    insert_batch(con, Batch.from_outcomes(outcomes))
    return {t: con.execute(f"select * from raw.{t}").df() for t in ("files", "submissions", "rows", "cells")}


_SUB_COLS = ["idx", "submission_id", "file_path", "sheet_name", "form_code", "period", "reporter_code", "reporter_level",
             "report_date", "declared_units", "issuer", "content_hash", "n_rows"]
_FILE_COLS = ["file_path", "sha256", "size_bytes", "status", "message", "form_codes", "period", "township_code", "rows_loaded", "read_at"]


def insert_batch(con: duckdb.DuckDBPyConnection, b: Batch) -> None:
    """Append one batch to the raw tables (inside the caller's transaction)."""
    if b.files:
        files = pd.DataFrame(b.files, columns=_FILE_COLS)
        con.register("_b_files", files)
        con.execute("insert into raw.files by name select * from _b_files")
        con.unregister("_b_files")
    if not b.subs:
        return
    subs = pd.DataFrame(b.subs, columns=_SUB_COLS)
    rows = pd.DataFrame({
        "sub": np.frombuffer(b.r_sub, dtype=np.uint32), "row_number": np.frombuffer(b.r_num, dtype=np.uint32),
        "row_kind": b.r_kind, "name_raw": b.r_name, "code_raw": b.r_code, "area_code": b.r_area,
        "reported": np.frombuffer(b.r_rep, dtype=np.int8).astype(bool),
    })
    cols = pd.DataFrame({
        "sub": np.frombuffer(b.k_sub, dtype=np.uint32), "pos": np.frombuffer(b.k_pos, dtype=np.uint16),
        "letter": b.k_letter, "indicator_code": b.k_ind,
    })
    raw = b.c_raw.split(_SEP) if isinstance(b.c_raw, str) else b.c_raw
    if isinstance(b.c_raw, str) and b.c_raw == "" and b.n_cells == 0:
        raw = []
    cells = pd.DataFrame({
        "sub": np.frombuffer(b.c_sub, dtype=np.uint32), "row_number": np.frombuffer(b.c_num, dtype=np.uint32),
        "pos": np.frombuffer(b.c_pos, dtype=np.uint16), "value": np.frombuffer(b.c_value, dtype=np.float64),
        "raw_text": raw,
    })
    for name, frame in (("_b_subs", subs), ("_b_rows", rows), ("_b_cols", cols), ("_b_cells", cells)):
        con.register(name, frame)
    try:
        con.execute("insert into raw.submissions by name select * exclude (idx) from _b_subs")
        con.execute(
            """insert into raw.rows by name
               select s.submission_id, s.file_path, s.sheet_name, r.row_number, r.row_kind, r.name_raw, r.code_raw,
                      r.area_code, r.reported
               from _b_rows r join _b_subs s on s.idx = r.sub"""
        )
        con.execute(
            """insert into raw.cells by name
               select s.submission_id, s.file_path, s.sheet_name, k.letter || c.row_number as cell, c.row_number,
                      s.form_code, s.period, s.reporter_code as township_code, r.area_code, r.name_raw as area_name,
                      r.row_kind, k.indicator_code, c.raw_text, case when isnan(c.value) then null else c.value end as value
               from _b_cells c
               join _b_subs s on s.idx = c.sub
               join _b_cols k on k.sub = c.sub and k.pos = c.pos
               join _b_rows r on r.sub = c.sub and r.row_number = c.row_number"""
        )
    finally:
        for name in ("_b_subs", "_b_rows", "_b_cols", "_b_cells"):
            con.unregister(name)


def withdraw(con: duckdb.DuckDBPyConnection, paths: list[str]) -> None:
    """Delete every contribution of the given files (inside the caller's transaction)."""
    if paths:
        con.execute("create or replace temp table _gone as select unnest(?::varchar[]) as file_path", [paths])
        for table in ("cells", "rows", "submissions", "files"):
            con.execute(f"delete from raw.{table} where file_path in (select file_path from _gone)")


def replace_batches(con: duckdb.DuckDBPyConnection, batches, removed: list[str], paths: list[str]) -> None:
    """Withdraw the previous contributions of ``paths`` (re-read) and ``removed`` files and
    insert the batches (an iterable, consumed as it comes), in one transaction: a failure
    leaves the raw schema as it was."""
    con.execute("begin transaction")
    try:
        withdraw(con, list(paths) + list(removed))
        for batch in batches:
            insert_batch(con, batch)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def replace_files(con: duckdb.DuckDBPyConnection, outcomes: list[FileOutcome], removed: list[str]) -> None:
    """Withdraw every previous contribution of the given files (re-read or removed) and
    write the new outcomes, in one transaction: a failure leaves the raw schema as it was."""
    replace_batches(con, [Batch.from_outcomes(outcomes)], removed, [o.file.rel_path for o in outcomes])


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
