"""Great Expectations suites (``expectations/gx/*.yml``) over the staged cells and reference data.

A suite file is a GX 1.x expectation suite (``name``, ``expectations: [{type, kwargs, meta}]``,
``meta``) with three keys of ours in its ``meta``:

- ``batch_sql``: the query giving the suite's pandas batch, over the warehouse and the
  engine's staged tables (``_dq_cells``, ``_dq_subs``, ``_dq_ind``, see ``huizong.dq.engine``).
  Columns named like the issue columns (``period, area_code, source_file, source_sheet,
  source_cell, form_code, township_code``, and ``indicator_code``) carry each failing row's
  provenance into its issue;
- ``severity`` (error | warning) and ``family`` of the suite's findings. Our suites use family
  ``bounds`` (逻辑关系: types, allowed values, ranges, keys) — the families of
  INTERFACE.md are closed, and these are column-level logical bounds.

A ``value_set`` may be written ``{catalog: forms}`` or ``{catalog: indicators}``: the set is
the catalog's, never retyped. An expectation's ``meta.id`` names its issues' rule
(``gx.<suite>.<id>``) and ``meta.message`` their message (placeholders ``{column}``,
``{value}``).

GX runs on pandas batches in an ephemeral context (GX against DuckDB via SQL returns empty
results on this stack), one context for the run. Each failing row becomes one issue; an
expectation that fails without rows (a column type, say) becomes one issue without
provenance. When ``docs_dir`` is given, Data Docs (the suites and this run's validation
results, one per suite) are written there.

Bounded at province scale (millions of cells): a batch of more than ``CHUNK_ROWS`` rows
(env ``HUIZONG_GX_CHUNK_ROWS``, default 1,000,000) is validated in chunks, the rows of a chunk
chosen by a hash of a key column (a column of every uniqueness key in the suite, so equal keys
meet in one chunk), and the chunk results merged into the batch's (failed if any chunk
failed; counts summed; failing rows concatenated). Expectations a chunk cannot decide alone
(``mostly``, column aggregates, table-level, anything not known to be row-local) run once on
the whole batch. GX is given only the columns the expectations name; low-cardinality strings
arrive as pandas categoricals (fetched as DuckDB ENUMs), and integers checked only for
nulls and ranges as int64/float64 (GX's vectorized ``between``). A column whose dtype an
expectation checks keeps DuckDB's dtype, the same in every chunk.
"""

from __future__ import annotations

import copy
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import yaml

from huizong import EXPECTATIONS_DIR
from huizong.catalog import Catalog, default_catalog
from huizong.dq import engine
from huizong.dq.declarations import FAMILIES, SEVERITIES, DeclarationError

GX_DIR = EXPECTATIONS_DIR / "gx"
ROW_ID = "_dq_row"
_PROVENANCE = ("period", "area_code", "source_file", "source_sheet", "source_cell", "form_code", "township_code")


@dataclass(frozen=True)
class Suite:
    name: str
    severity: str
    family: str
    batch_sql: str
    expectations: tuple[dict[str, Any], ...]
    meta: dict[str, Any]
    source: str


def _resolve_value_sets(kwargs: dict[str, Any], catalog: Catalog, where: str) -> dict[str, Any]:
    out = dict(kwargs)
    vs = out.get("value_set")
    if isinstance(vs, dict):
        name = vs.get("catalog")
        if name == "forms":
            out["value_set"] = sorted(catalog.forms)
        elif name == "indicators":
            out["value_set"] = sorted(catalog.indicators)
        else:
            raise DeclarationError(f"{where}: value_set {vs} (catalog: forms | indicators)")
    return out


def load_suites(gx_dir: Path = GX_DIR, catalog: Catalog | None = None) -> list[Suite]:
    catalog = catalog or default_catalog()
    suites = []
    for path in sorted([*Path(gx_dir).glob("*.yml"), *Path(gx_dir).glob("*.yaml"), *Path(gx_dir).glob("*.json")]):
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)  # JSON is YAML
        where = path.name
        if not isinstance(doc, dict) or not doc.get("name") or not isinstance(doc.get("expectations"), list):
            raise DeclarationError(f"{where}: a suite needs a name and an expectations list")
        meta = dict(doc.get("meta") or {})
        for key in ("batch_sql", "severity", "family"):
            if not meta.get(key):
                raise DeclarationError(f"{where}: meta.{key} is required")
        if meta["severity"] not in SEVERITIES or meta["family"] not in FAMILIES:
            raise DeclarationError(f"{where}: bad severity or family in meta")
        exps = []
        for i, e in enumerate(doc["expectations"]):
            if not isinstance(e, dict) or "type" not in e:
                raise DeclarationError(f"{where}: expectation {i} needs a type")
            e = copy.deepcopy(e)
            e["kwargs"] = _resolve_value_sets(e.get("kwargs") or {}, catalog, f"{where}: expectation {i}")
            e.setdefault("meta", {})
            exps.append(e)
        suites.append(Suite(str(doc["name"]), meta["severity"], meta["family"], str(meta["batch_sql"]), tuple(exps), meta, where))
    return suites


def _context(docs_dir: Path | None):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites["huizong"] = {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites=sites,
    )
    return gx, gx.get_context(project_config=config, mode="ephemeral")


def _expectation_id(e: dict[str, Any]) -> str:
    if e["meta"].get("id"):
        return str(e["meta"]["id"])
    kw = e["kwargs"]
    col = kw.get("column") or "_".join(kw.get("column_list") or []) or "_".join(
        str(kw.get(k)) for k in ("column_A", "column_B") if kw.get(k)
    )
    return f"{e['type'].removeprefix('expect_')}.{col}" if col else e["type"].removeprefix("expect_")


def _clean(v: Any) -> Any:
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        v = v.item()
    return v


def _fmt(v: Any) -> str:
    v = _clean(v)
    if v is None:
        return "NULL"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


class _Safe(dict):
    def __missing__(self, key):
        return "{" + key + "}"


# ----------------------------------------------------------------------------- planning a batch
#
# A suite's batch is fetched from DuckDB in pieces: all of it when it is small (``chunk_rows``
# or fewer rows), else in ``ceil(rows / chunk_rows)`` chunks, the rows of a chunk chosen by
# ``hash(key) % chunks``. The expectations a chunk cannot decide alone (an aggregate over the
# column, a ``mostly``, anything not known to be row-local) run once on the whole batch, given
# only their columns. GX sees only the columns its expectations name; the rest of the row is
# kept beside it for the issues' provenance and messages. Low-cardinality strings arrive as
# pandas categoricals (a DuckDB ENUM: no Python string per row).

CHUNK_ROWS = int(os.environ.get("HUIZONG_GX_CHUNK_ROWS", "1000000"))


def _expectations(*names: str) -> frozenset[str]:
    return frozenset(f"expect_{n}" for n in names)


# a row's verdict depends on that row alone: any chunking gives the whole batch's verdicts
_ROW_LOCAL = _expectations(
    "column_values_to_not_be_null", "column_values_to_be_null", "column_values_to_be_in_set",
    "column_values_to_not_be_in_set", "column_values_to_be_between", "column_values_to_match_regex",
    "column_values_to_not_match_regex", "column_values_to_match_regex_list",
    "column_values_to_not_match_regex_list", "column_values_to_match_like_pattern",
    "column_values_to_not_match_like_pattern", "column_values_to_match_like_pattern_list",
    "column_values_to_not_match_like_pattern_list", "column_value_lengths_to_be_between",
    "column_value_lengths_to_equal", "column_values_to_match_strftime_format",
    "column_values_to_be_dateutil_parseable", "column_values_to_be_json_parseable",
    "column_values_to_match_json_schema", "column_pair_values_to_be_equal",
    "column_pair_values_a_to_be_greater_than_b", "column_pair_values_to_be_in_set",
    "select_column_values_to_be_unique_within_record", "multicolumn_sum_to_equal",
)
# a row is compared with the rows sharing its values: chunks must not split equal keys
_KEYED = _expectations("column_values_to_be_unique", "compound_columns_to_be_unique")
# the column's dtype (the same in every chunk, see ``_stable_dtypes``), or each value's type
_DTYPE = _expectations("column_values_to_be_of_type", "column_values_to_be_in_type_list")
# may see a string column as a pandas categorical (same verdicts: isnull, isin, astype(str), duplicated)
_AS_CATEGORY = _expectations(
    "column_values_to_not_be_null", "column_values_to_be_null", "column_values_to_be_in_set",
    "column_values_to_not_be_in_set", "column_values_to_match_regex", "column_values_to_not_match_regex",
    "column_values_to_be_unique", "compound_columns_to_be_unique",
)
# may see an integer column as int64 (float64 when it has nulls, which GX drops first): GX's
# vectorized path for ``between`` takes only int64 and float64
_AS_WIDE_INT = _expectations("column_values_to_not_be_null", "column_values_to_be_null", "column_values_to_be_between")
_SMALL_INTS = frozenset({"TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT", "UINTEGER"})
_ANY_COLUMN = "*"  # an expectation whose columns are not known (table level, row_condition)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns_named(exp: dict[str, Any]) -> tuple[str, ...] | None:
    """The batch columns an expectation reads; None when that is not known from its kwargs."""
    kw = exp["kwargs"]
    if kw.get("row_condition"):
        return None
    cols = [kw[k] for k in ("column", "column_A", "column_B") if kw.get(k)]
    cols += list(kw.get("column_list") or [])
    return tuple(dict.fromkeys(str(c) for c in cols)) or None


def _row_local(exp: dict[str, Any]) -> bool:
    """True when chunk verdicts are the batch's verdicts (merged: failed if any chunk failed)."""
    if exp["kwargs"].get("mostly", 1) != 1:  # a share of the whole batch
        return False
    return exp["type"] in _ROW_LOCAL or exp["type"] in _DTYPE or exp["type"] in _KEYED


@dataclass
class _Piece:
    where: str | None  # the predicate choosing its rows (None: the whole batch)
    exps: list[int]  # indices into the suite's expectations
    gx_columns: list[str]  # what GX sees (ROW_ID added)


@dataclass
class _Plan:
    rows: int
    sql: str  # the batch query
    select: str  # the select list over it (casts to ENUM, BIGINT, DOUBLE)
    pieces: list[_Piece]
    nullable: dict[str, bool]  # integer and boolean columns with nulls somewhere in the batch
    chunks: int
    key: str | None


def _simple(sql_type: str) -> bool:
    return not any(t in sql_type for t in ("[", "STRUCT", "MAP", "UNION"))


def _plan(con: duckdb.DuckDBPyConnection, suite: Suite, chunk_rows: int, enums: list[str], tag: str) -> _Plan:
    """How to fetch and split the batch of ``suite``; the ENUM types it creates are appended
    to ``enums`` (the caller drops them)."""
    sql = suite.batch_sql.strip().rstrip(";")
    rel = con.sql(sql)
    columns, types = list(rel.columns), [str(t) for t in rel.types]
    named = [_columns_named(e) for e in suite.expectations]
    usage: dict[str, set[str]] = {c: set() for c in columns}
    for e, cols in zip(suite.expectations, named):
        for c in (columns if cols is None else cols):
            if c in usage:
                usage[c].add(e["type"] if cols is not None else _ANY_COLUMN)
    stats = con.execute(
        "select count(*)"
        + "".join(
            f", count({_ident(c)}), " + (f"approx_count_distinct({_ident(c)})" if _simple(t) else "0")
            for c, t in zip(columns, types)
        )
        + f" from ({sql})"
    ).fetchone()
    rows = int(stats[0])
    nulls = {c: rows - int(stats[1 + 2 * i]) for i, c in enumerate(columns)}
    distinct = {c: int(stats[2 + 2 * i]) for i, c in enumerate(columns)}

    select = []
    for c, t in zip(columns, types):
        expr = _ident(c)
        if t == "VARCHAR" and usage[c] <= _AS_CATEGORY and 0 < rows and 2 * distinct[c] <= rows:
            enum = f"_dq_gx_enum_{tag}_{len(enums)}"
            enums.append(enum)
            con.execute(f"create or replace temp type {enum} as enum (select distinct {expr} from ({sql}) where {expr} is not null)")
            expr = f"cast({expr} as {enum}) as {expr}"
        elif usage[c] and usage[c] <= _AS_WIDE_INT and (t == "BIGINT" and not nulls[c] or t in _SMALL_INTS):
            expr = f"cast({expr} as {'DOUBLE' if nulls[c] else 'BIGINT'}) as {expr}"
        select.append(expr)
    nullable = {c: nulls[c] > 0 for c, t in zip(columns, types) if t in _SMALL_INTS | {"BIGINT", "UBIGINT", "HUGEINT", "BOOLEAN"}}

    def gx_columns(idx: list[int]) -> list[str]:
        if any(named[i] is None for i in idx):
            return list(columns)
        wanted = {c for i in idx for c in named[i]}
        return [c for c in columns if c in wanted]

    every = list(range(len(suite.expectations)))
    chunks = -(-rows // chunk_rows) if chunk_rows > 0 else 1
    chunked = [i for i in every if _row_local(suite.expectations[i])]
    if chunks <= 1 or not chunked:
        return _Plan(rows, sql, ", ".join(select), [_Piece(None, every, gx_columns(every))], nullable, 1, None)
    # rows with equal keys stay in one chunk: partition on a column every keyed expectation reads
    keyed = [i for i in chunked if suite.expectations[i]["type"] in _KEYED]
    common = set(columns)
    for i in keyed:
        common &= set(named[i] or ())
    if keyed and not common:
        chunked = [i for i in chunked if i not in keyed]
        common = set(columns)
    # a string or integer column hashes as pandas compares it; the one with most values spreads best
    key_columns = [c for c, t in zip(columns, types) if c in common and (t == "VARCHAR" or t in _SMALL_INTS or t == "BIGINT")]
    best = max(key_columns, key=lambda c: distinct[c]) if key_columns else None
    if best is not None and (keyed or distinct[best] >= 16 * chunks):
        key = _ident(best)
    elif keyed:  # the keys' columns together
        key = ", ".join(_ident(c) for c in columns if c in common)
    else:  # no column spreads the rows: the whole row
        key = ", ".join(_ident(c) for c in columns)
    pieces = [_Piece(f"hash({key}) % {chunks} = {k}", chunked, gx_columns(chunked)) for k in range(chunks)]
    rest = [i for i in every if i not in chunked]
    if rest:
        pieces.append(_Piece(None, rest, gx_columns(rest)))
    return _Plan(rows, sql, ", ".join(select), pieces, nullable, chunks, key)


def _stable_dtypes(frame: pd.DataFrame, nullable: dict[str, bool]) -> None:
    """A chunk's integer or boolean column as the whole batch would have it: DuckDB gives a
    nullable dtype (Int32, boolean) only to a result holding a null."""
    for c, has_nulls in nullable.items():
        if has_nulls and c in frame.columns and frame[c].dtype.kind in "iub":
            kind, bits = frame[c].dtype.kind, frame[c].dtype.itemsize * 8
            frame[c] = frame[c].astype("boolean" if kind == "b" else f"{'U' if kind == 'u' else ''}Int{bits}")


# ----------------------------------------------------------------------------- merging chunk results

_PARTIAL = 20  # GX's partial_unexpected_count


def _raised(r) -> bool:
    info = r.exception_info or {}
    if info.get("raised_exception"):
        return True
    return any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())


def _row_ids(index_list) -> list:
    return [item.get(ROW_ID) if isinstance(item, dict) else item for item in index_list or []]


def _merge(results: list) -> Any:
    """One expectation's results over the chunks as one result (the batch's)."""
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult

    if len(results) == 1:
        return results[0]
    raised = next((r for r in results if _raised(r)), None)
    if raised is not None:
        return raised
    first = next((r for r in results if not r.success), results[0])
    parts = [r.result or {} for r in results]
    out = dict(first.result or {})
    if all("element_count" in p for p in parts):
        n = sum(p.get("element_count") or 0 for p in parts)
        missing = sum(p.get("missing_count") or 0 for p in parts)
        bad = sum(p.get("unexpected_count") or 0 for p in parts)
        nonmissing = n - missing
        out.update(element_count=n, missing_count=missing, unexpected_count=bad)
        if "missing_percent" in out:
            out["missing_percent"] = 100.0 * missing / n if n else None
        for k in ("unexpected_percent", "unexpected_percent_nonmissing"):
            if k in out:
                out[k] = 100.0 * bad / nonmissing if nonmissing else None
        if "unexpected_percent_total" in out:
            out["unexpected_percent_total"] = 100.0 * bad / n if n else None
        for k in ("unexpected_list", "unexpected_index_list"):
            if k in out:
                out[k] = [x for p in parts for x in p.get(k) or []]
        for k in ("partial_unexpected_list", "partial_unexpected_index_list"):
            if k in out:
                out[k] = [x for p in parts for x in p.get(k) or []][:_PARTIAL]
        if "partial_unexpected_counts" in out:
            counts: dict[str, list] = {}
            for p in parts:
                for item in p.get("partial_unexpected_counts") or []:
                    key = repr(item.get("value"))
                    counts.setdefault(key, [item.get("value"), 0])[1] += item.get("count") or 0
            ranked = sorted(counts.values(), key=lambda vc: -vc[1])[:_PARTIAL]
            out["partial_unexpected_counts"] = [{"value": v, "count": c} for v, c in ranked]
        if "unexpected_index_query" in out:  # the chunk frames are indexed by ROW_ID
            out["unexpected_index_query"] = f"df.filter(items={[_clean(i) for i in _row_ids(out.get('unexpected_index_list'))]}, axis=0)"
    return ExpectationValidationResult(
        success=all(r.success for r in results),
        expectation_config=first.expectation_config,
        result=out,
        meta=first.meta,
        exception_info=first.exception_info,
    )


# ----------------------------------------------------------------------------- issues


def _issues_of(suite: Suite, exp: dict[str, Any], result, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issues of one failed expectation: one per failing row (``rows``: those rows of the
    batch, in the order of the result's ``unexpected_index_list``), else one without provenance."""
    res = result.result or {}
    rule_id = f"gx.{suite.name}.{_expectation_id(exp)}"
    kw = exp["kwargs"]
    column = kw.get("column") or ",".join(kw.get("column_list") or []) or ",".join(
        str(kw.get(k)) for k in ("column_A", "column_B") if kw.get(k)
    )
    template = exp["meta"].get("message") or f"{exp['type']} failed on {{column}} = {{value}}"
    base = {"rule_id": rule_id, "family": suite.family, "severity": suite.severity}
    out = []
    if res.get("unexpected_index_list"):
        for row in rows:
            values = {c: _clean(row[c]) for c in column.split(",") if c in row}
            value = ", ".join(_fmt(v) for v in values.values())
            observed = next(iter(values.values()), None) if len(values) == 1 else None
            issue = dict(base)
            for c in _PROVENANCE:
                issue[c] = _clean(row[c]) if c in row else None
                if issue[c] is not None:
                    issue[c] = str(issue[c])
            ind = _clean(row["indicator_code"]) if "indicator_code" in row else None
            issue["indicator_codes"] = [str(ind)] if ind else []
            issue["observed"] = float(observed) if isinstance(observed, (int, float)) and not isinstance(observed, bool) and math.isfinite(observed) else None
            issue["expected"] = None
            issue["message"] = template.format_map(_Safe({**{str(k): _fmt(v) for k, v in row.items()}, "column": column, "value": value}))
            out.append(issue)
    else:
        observed = res.get("observed_value")
        issue = dict(base, **{c: None for c in _PROVENANCE})
        issue["indicator_codes"] = []
        issue["observed"] = float(observed) if isinstance(observed, (int, float)) and not isinstance(observed, bool) else None
        issue["expected"] = None
        issue["message"] = template.format_map(_Safe(column=column, value=_fmt(observed))) + f" [{suite.name}: {exp['type']}]"
        out.append(issue)
    return out


# ----------------------------------------------------------------------------- running


def _sub_suite(gx, gx_suite, idx: list[int]):
    """The expectations ``idx`` of ``gx_suite`` as a suite of their own (same ids: results are
    matched to expectations by id)."""
    if len(idx) == len(gx_suite.expectations):
        return gx_suite
    sub = gx.ExpectationSuite(name=gx_suite.name, expectations=[copy.copy(gx_suite.expectations[i]) for i in idx])
    for new, i in zip(sub.expectations, idx):
        new.id = gx_suite.expectations[i].id
    return sub


def _validate_suite(con, gx, ctx, source, suite: Suite, run_id, chunk_rows: int, tag: str):
    """One suite over its batch: (the suite's validation result, the issues)."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.validator.v1_validator import Validator
    from great_expectations.validator.validation_statistics import calc_validation_statistics

    gx_suite = ctx.suites.add(gx.ExpectationSuite(name=suite.name, expectations=[copy.deepcopy(e) for e in suite.expectations], meta={k: v for k, v in suite.meta.items() if k != "batch_sql"}))
    batch_def = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe(suite.name)
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=suite.name, data=batch_def, suite=gx_suite))
    ids = [e.id for e in gx_suite.expectations]
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_ID]}
    results: dict[int, list] = {i: [] for i in range(len(ids))}
    failing_rows: dict[int, list[dict[str, Any]]] = {i: [] for i in range(len(ids))}
    meta: dict[str, Any] = {}
    batch_id = None
    offset = 0  # the ROW_ID of a piece's first row (ids are unique over the pieces)
    enums: list[str] = []
    try:
        plan = _plan(con, suite, chunk_rows, enums, tag)
        for piece in plan.pieces:
            where = f" where {piece.where}" if piece.where else ""
            frame = con.execute(f"select {plan.select} from ({plan.sql}){where}").df()
            if not len(frame) and piece.where is not None:
                continue
            if plan.chunks > 1:
                _stable_dtypes(frame, plan.nullable)
            frame[ROW_ID] = np.arange(offset, offset + len(frame), dtype=np.int64)
            view = frame[[*piece.gx_columns, ROW_ID]]
            view.index = pd.RangeIndex(offset, offset + len(frame))
            vr = Validator(batch_definition=batch_def, batch_parameters={"dataframe": view}, result_format=result_format).validate_expectation_suite(_sub_suite(gx, gx_suite, piece.exps))
            del view
            meta = meta or dict(vr.meta)
            batch_id = batch_id or vr.batch_id
            by_id = {getattr(r.expectation_config, "id", None): r for r in vr.results}
            for i in piece.exps:
                r = by_id.get(ids[i])
                if r is None:
                    continue
                results[i].append(r)
                rid = _row_ids((r.result or {}).get("unexpected_index_list"))
                if not r.success and rid:
                    failing_rows[i].extend(frame.iloc[np.asarray(rid, dtype=np.int64) - offset].to_dict("records"))
            offset += len(frame)
            del frame
    finally:
        for enum in enums:
            con.execute(f"drop type if exists {enum}")
    merged = [_merge(results[i]) if results[i] else None for i in range(len(ids))]
    issues: list[dict[str, Any]] = []
    for exp, r, i in zip(suite.expectations, merged, range(len(ids))):
        if r is not None and not r.success:
            issues.extend(_issues_of(suite, exp, r, failing_rows[i]))
    done = [r for r in merged if r is not None]
    stats = calc_validation_statistics(done)
    meta.update(
        validation_id=vd.id, checkpoint_id=None, run_id=run_id, validation_time=run_id.run_time,
        batch_parameters={"dataframe": "<DATAFRAME>"},
        huizong_batch={"rows": plan.rows, "chunks": plan.chunks, "partitioned_by": plan.key},
    )
    suite_result = ExpectationSuiteValidationResult(
        results=done, success=stats.success, suite_name=suite.name,
        statistics={
            "evaluated_expectations": stats.evaluated_expectations,
            "successful_expectations": stats.successful_expectations,
            "unsuccessful_expectations": stats.unsuccessful_expectations,
            "success_percent": stats.success_percent,
        },
        meta=meta, batch_id=batch_id,
    )
    return suite_result, issues


def validate(
    con: duckdb.DuckDBPyConnection,
    suites: list[Suite],
    docs_dir: Path | None = None,
    chunk_rows: int | None = None,
) -> list[dict[str, Any]]:
    """Run ``suites`` (needs ``engine.stage``); the issues of every failed expectation. One GX
    context for the run; a batch of more than ``chunk_rows`` rows (default ``CHUNK_ROWS``,
    env ``HUIZONG_GX_CHUNK_ROWS``) is validated in chunks and the results merged."""
    import datetime

    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    chunk_rows = CHUNK_ROWS if chunk_rows is None else chunk_rows
    gx, ctx = _context(docs_dir)
    source = ctx.data_sources.add_pandas("huizong")
    run_id = RunIdentifier(run_time=datetime.datetime.now(datetime.timezone.utc))
    issues: list[dict[str, Any]] = []
    for n, suite in enumerate(suites):
        suite_result, found = _validate_suite(con, gx, ctx, source, suite, run_id, chunk_rows, str(n))
        issues.extend(found)
        suite_id = ExpectationSuiteIdentifier(name=suite.name)
        ctx.validation_results_store.store_validation_results(
            suite_validation_result=suite_result,
            suite_validation_result_identifier=ValidationResultIdentifier(
                expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=suite_result.batch_id or suite.name
            ),
            expectation_suite_identifier=suite_id,
        )
    if docs_dir is not None:
        Path(docs_dir).mkdir(parents=True, exist_ok=True)
        ctx.build_data_docs()
    return issues


def find_issues(con: duckdb.DuckDBPyConnection, docs_dir: Path | str | None = None, gx_dir: Path = GX_DIR,
                staged: bool = False) -> list[dict[str, Any]]:
    """Run every suite of ``gx_dir`` and return the issues, writing nothing to the warehouse
    (so it can run on a connection of its own beside the rules). Data Docs go to ``docs_dir``
    when given. ``staged``: the caller has run ``engine.stage`` on ``con``."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    catalog = default_catalog()
    suites = load_suites(Path(gx_dir), catalog)
    if not staged:
        engine.stage(con, catalog)
    try:
        return validate(con, suites, Path(docs_dir) if docs_dir is not None else None)
    finally:
        if not staged:
            engine.unstage(con)


def write_issues(con: duckdb.DuckDBPyConnection, issues: list[dict[str, Any]]) -> None:
    """Replace the ``gx.*`` rows of ``marts.dq_issues`` with ``issues`` (one transaction; the
    rule rows are kept)."""
    cols = [c for c, _ in engine.ISSUE_COLUMNS]
    frame = pd.DataFrame([{c: i.get(c) for c in cols} for i in issues], columns=cols)
    con.execute("begin transaction")
    try:
        con.execute("drop table if exists _dq_out")
        con.execute(engine.issue_table_ddl("_dq_out", temp=True))
        if len(frame):
            con.register("_dq_gx_frame", frame)
            con.execute(f"insert into _dq_out select {', '.join(f'cast({c} as {t}) as {c}' for c, t in engine.ISSUE_COLUMNS)} from _dq_gx_frame")
            con.unregister("_dq_gx_frame")
        engine.replace_issues(con, f"not starts_with(rule_id, {engine.q(engine.GX_PREFIX)})")
        con.execute("drop table if exists _dq_out")
        con.execute("drop table if exists _dq_keep")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def run_gx(con: duckdb.DuckDBPyConnection, docs_dir: Path | str | None = None, gx_dir: Path = GX_DIR,
           staged: bool = False) -> int:
    """Run every suite of ``gx_dir`` and replace the ``gx.*`` rows of ``marts.dq_issues``.
    Returns the number of GX issues. ``staged``: the caller has run ``engine.stage``."""
    issues = find_issues(con, docs_dir, gx_dir, staged)
    write_issues(con, issues)
    return len(issues)
