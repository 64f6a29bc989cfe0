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
import time
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
        # per row: sub index, row number, kind, name, code, area, reported, number of cells
        self.r_sub, self.r_num, self.r_kind = array("I"), array("I"), []
        self.r_name, self.r_code, self.r_area, self.r_rep = [], [], [], array("b")
        self.r_ncells = array("I")
        # per (sub, column position): letter, indicator
        self.k_sub, self.k_pos, self.k_letter, self.k_ind = array("I"), array("H"), [], []
        # per cell, row after row (a row's cells are its columns 0..n-1): value, raw text
        self.c_value: bytes = b""  # float64, NaN for NULL
        self.c_raw: list[str] | str = []

    @classmethod
    def from_outcomes(cls, outcomes: list[FileOutcome]) -> "Batch":
        b = cls()
        now = dt.datetime.now()
        values: list[float | None] = []
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
                b.subs.append(
                    (si, sid, f.rel_path, s.sheet_name, s.form_code, s.period, s.reporter.code, s.reporter.level,
                     s.report_date, "、".join(s.declared_units) or None, s.issuer, s.content_hash(), len(s.rows))
                )
                columns = next((r.columns for r in s.rows if r.columns), None) or tuple((L, c) for c, L in s.columns.items())
                for pos, (letter, code) in enumerate(columns):
                    b.k_sub.append(si)
                    b.k_pos.append(pos)
                    b.k_letter.append(letter)
                    b.k_ind.append(code)
                rows = s.rows
                b.r_sub.extend([si] * len(rows))
                for r in rows:
                    b.r_num.append(r.row_number)
                    b.r_kind.append(r.row_kind)
                    b.r_name.append(r.name_raw)
                    b.r_code.append(r.code_raw or None)
                    b.r_area.append(r.area_code)
                    b.r_rep.append(1 if r.reported else 0)
                    b.r_ncells.append(len(r.values))
                    if r.values:
                        values.extend(r.values)
                        raws.extend(r.raw)
        b.c_value = np.array(values, dtype=np.float64).tobytes()
        joined = _SEP.join(raws)
        b.c_raw = joined if joined.count(_SEP) == len(raws) - 1 or not raws else raws
        return b

    @property
    def n_cells(self) -> int:
        return len(self.c_value) // 8


def submission_id(rel_path: str, sheet_name: str) -> str:
    return hashlib.sha1(f"{rel_path}\x00{sheet_name}".encode()).hexdigest()[:16]


_SUB_COLS = ["idx", "submission_id", "file_path", "sheet_name", "form_code", "period", "reporter_code", "reporter_level",
             "report_date", "declared_units", "issuer", "content_hash", "n_rows"]
_FILE_COLS = ["file_path", "sha256", "size_bytes", "status", "message", "form_codes", "period", "township_code", "rows_loaded", "read_at"]


class Writer:
    """Writes batches into the raw tables inside the caller's transaction.

    Files and submissions go in as they come; rows and cells are staged narrow (indexes,
    figures and raw texts) and widened into ``raw.rows`` / ``raw.cells`` by one join at the
    end, which is much cheaper than widening batch by batch.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.n_subs = 0
        self.n_rows = 0
        con.execute("create or replace temp table _w_subs (idx bigint, submission_id varchar, file_path varchar, sheet_name varchar, form_code varchar, period varchar, reporter_code varchar)")
        con.execute("create or replace temp table _w_rows (row bigint, sub bigint, row_number integer, row_kind varchar, name_raw varchar, code_raw varchar, area_code varchar, reported boolean)")
        con.execute("create or replace temp table _w_cols (sub bigint, pos smallint, letter varchar, indicator_code varchar)")
        con.execute("create or replace temp table _w_cells (row bigint, pos smallint, value double, raw_text varchar)")

    def _insert(self, frame: pd.DataFrame, *statements: str) -> None:
        """Run ``statements`` with ``frame`` visible as ``_w_frame``."""
        self.con.register("_w_frame", frame)
        try:
            for sql in statements:
                self.con.execute(sql)
        finally:
            self.con.unregister("_w_frame")

    def _append(self, table: str, frame: pd.DataFrame) -> None:
        self._insert(frame, f"insert into {table} select * from _w_frame")

    def add(self, b: Batch) -> None:
        if b.files:
            self._insert(pd.DataFrame(b.files, columns=_FILE_COLS), "insert into raw.files by name select * from _w_frame")
        if not b.subs:
            return
        s0, r0 = self.n_subs, self.n_rows
        subs = pd.DataFrame(b.subs, columns=_SUB_COLS)
        subs["idx"] += s0
        self._insert(subs, "insert into raw.submissions by name select * exclude (idx) from _w_frame",
                     "insert into _w_subs select idx, submission_id, file_path, sheet_name, form_code, period, reporter_code from _w_frame")
        n_rows = len(b.r_num)
        self._append("_w_rows", pd.DataFrame({
            "row": np.arange(n_rows, dtype=np.int64) + r0,
            "sub": np.frombuffer(b.r_sub, dtype=np.uint32).astype(np.int64) + s0,
            "row_number": np.frombuffer(b.r_num, dtype=np.uint32).astype(np.int32),
            "row_kind": b.r_kind, "name_raw": b.r_name, "code_raw": b.r_code, "area_code": b.r_area,
            "reported": np.frombuffer(b.r_rep, dtype=np.int8).astype(bool),
        }))
        self._append("_w_cols", pd.DataFrame({
            "sub": np.frombuffer(b.k_sub, dtype=np.uint32).astype(np.int64) + s0,
            "pos": np.frombuffer(b.k_pos, dtype=np.uint16).astype(np.int16),
            "letter": b.k_letter, "indicator_code": b.k_ind,
        }))
        n = b.n_cells
        if n:
            raw = b.c_raw.split(_SEP) if isinstance(b.c_raw, str) else b.c_raw
            counts = np.frombuffer(b.r_ncells, dtype=np.uint32).astype(np.int64)
            starts = np.cumsum(counts) - counts
            self._append("_w_cells", pd.DataFrame({
                "row": np.repeat(np.arange(n_rows, dtype=np.int64) + r0, counts),
                "pos": (np.arange(n, dtype=np.int64) - np.repeat(starts, counts)).astype(np.int16),
                "value": np.frombuffer(b.c_value, dtype=np.float64),
                "raw_text": raw,
            }))
        self.n_subs += len(b.subs)
        self.n_rows += n_rows

    def finish(self) -> None:
        con = self.con
        bar, order = con.execute(
            "select current_setting('enable_progress_bar'), current_setting('preserve_insertion_order')"
        ).fetchone()
        con.execute("set enable_progress_bar = false")  # no console bar from inside a job
        con.execute("set preserve_insertion_order = false")  # raw tables are sets: let the join run in parallel
        con.execute(
            """insert into raw.rows by name
               select s.submission_id, s.file_path, s.sheet_name, r.row_number, r.row_kind, r.name_raw, r.code_raw,
                      r.area_code, r.reported
               from _w_rows r join _w_subs s on s.idx = r.sub"""
        )
        con.execute(
            """insert into raw.cells by name
               select s.submission_id, s.file_path, s.sheet_name, k.letter || r.row_number as cell, r.row_number,
                      s.form_code, s.period, s.reporter_code as township_code, r.area_code, r.name_raw as area_name,
                      r.row_kind, k.indicator_code, c.raw_text, case when isnan(c.value) then null else c.value end as value
               from _w_cells c
               join _w_rows r on r.row = c.row
               join _w_subs s on s.idx = r.sub
               join _w_cols k on k.sub = r.sub and k.pos = c.pos"""
        )
        for t in ("_w_cells", "_w_cols", "_w_rows", "_w_subs"):
            con.execute(f"drop table if exists {t}")
        con.execute(f"set enable_progress_bar = {'true' if bar else 'false'}")
        con.execute(f"set preserve_insertion_order = {'true' if order else 'false'}")


def withdraw(con: duckdb.DuckDBPyConnection, paths: list[str]) -> None:
    """Delete every contribution of the given files (inside the caller's transaction)."""
    if paths:
        con.execute("create or replace temp table _gone as select unnest(?::varchar[]) as file_path", [paths])
        for table in ("cells", "rows", "submissions", "files"):
            con.execute(f"delete from raw.{table} where file_path in (select file_path from _gone)")


def replace_batches(con: duckdb.DuckDBPyConnection, batches, removed: list[str], paths: list[str],
                    timings: dict[str, float] | None = None) -> None:
    """Withdraw the previous contributions of ``paths`` (re-read) and ``removed`` files and
    insert the batches (an iterable, consumed as it comes), in one transaction: a failure
    leaves the raw schema as it was. ``timings`` receives seconds per phase."""
    timings = {} if timings is None else timings
    con.execute("begin transaction")
    try:
        t = time.perf_counter()
        withdraw(con, list(paths) + list(removed))
        writer = Writer(con)
        for batch in batches:
            writer.add(batch)
        timings["read"] = time.perf_counter() - t
        t = time.perf_counter()
        writer.finish()
        timings["widen"] = time.perf_counter() - t
        t = time.perf_counter()
        con.execute("commit")
        timings["commit"] = time.perf_counter() - t
    except BaseException:
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
