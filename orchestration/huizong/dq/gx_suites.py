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
results on this stack). Each failing row becomes one issue; an expectation that fails
without rows (a column type, say) becomes one issue without provenance. When ``docs_dir`` is
given, Data Docs (the suites and this run's validation results) are written there.
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


def _issues_of(suite: Suite, exp: dict[str, Any], result, frame: pd.DataFrame) -> list[dict[str, Any]]:
    res = result.result or {}
    rule_id = f"gx.{suite.name}.{_expectation_id(exp)}"
    kw = exp["kwargs"]
    column = kw.get("column") or ",".join(kw.get("column_list") or []) or ",".join(
        str(kw.get(k)) for k in ("column_A", "column_B") if kw.get(k)
    )
    template = exp["meta"].get("message") or f"{exp['type']} failed on {{column}} = {{value}}"
    base = {"rule_id": rule_id, "family": suite.family, "severity": suite.severity}
    out = []
    index = res.get("unexpected_index_list")
    if index:
        rows = frame.set_index(ROW_ID, drop=False)
        for item in index:
            rid = item.get(ROW_ID) if isinstance(item, dict) else item
            row = rows.loc[rid]
            values = {c: _clean(row[c]) for c in column.split(",") if c in row.index}
            value = ", ".join(_fmt(v) for v in values.values())
            observed = next(iter(values.values()), None) if len(values) == 1 else None
            issue = dict(base)
            for c in _PROVENANCE:
                issue[c] = _clean(row[c]) if c in row.index else None
                if issue[c] is not None:
                    issue[c] = str(issue[c])
            ind = _clean(row["indicator_code"]) if "indicator_code" in row.index else None
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


def validate(con: duckdb.DuckDBPyConnection, suites: list[Suite], docs_dir: Path | None = None) -> list[dict[str, Any]]:
    """Run ``suites`` (needs ``engine.stage``); the issues of every failed expectation."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    gx, ctx = _context(docs_dir)
    source = ctx.data_sources.add_pandas("huizong")
    issues: list[dict[str, Any]] = []
    for suite in suites:
        frame = con.execute(suite.batch_sql).df()
        frame[ROW_ID] = range(len(frame))
        gx_suite = ctx.suites.add(gx.ExpectationSuite(name=suite.name, expectations=[copy.deepcopy(e) for e in suite.expectations], meta={k: v for k, v in suite.meta.items() if k != "batch_sql"}))
        asset = source.add_dataframe_asset(suite.name)
        batch_def = asset.add_batch_definition_whole_dataframe(suite.name)
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=suite.name, data=batch_def, suite=gx_suite))
        checkpoint = ctx.checkpoints.add(
            gx.Checkpoint(
                name=suite.name,
                validation_definitions=[vd],
                actions=[],
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_ID]},
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": frame})
        for vr in run.run_results.values():
            by_config = list(vr.results)
            for exp, r in zip(suite.expectations, _in_suite_order(by_config, gx_suite)):
                if r is not None and not r.success:
                    issues.extend(_issues_of(suite, exp, r, frame))
    if docs_dir is not None:
        Path(docs_dir).mkdir(parents=True, exist_ok=True)
        ctx.build_data_docs()
    return issues


def _in_suite_order(results, gx_suite):
    """Validation results in the order of the suite's expectations (matched by expectation id)."""
    by_id = {getattr(r.expectation_config, "id", None): r for r in results}
    return [by_id.get(e.id) for e in gx_suite.expectations]


def run_gx(con: duckdb.DuckDBPyConnection, docs_dir: Path | str | None = None, gx_dir: Path = GX_DIR) -> int:
    """Run every suite of ``gx_dir`` and replace the ``gx.*`` rows of ``marts.dq_issues`` (one
    transaction; the rule rows are kept). Data Docs go to ``docs_dir`` when given. Returns the
    number of GX issues."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    catalog = default_catalog()
    suites = load_suites(Path(gx_dir), catalog)
    docs = Path(docs_dir) if docs_dir is not None else None
    con.execute("begin transaction")
    try:
        engine.stage(con, catalog)
        issues = validate(con, suites, docs)
        cols = [c for c, _ in engine.ISSUE_COLUMNS]
        frame = pd.DataFrame([{c: i.get(c) for c in cols} for i in issues], columns=cols)
        con.execute("drop table if exists _dq_out")
        con.execute(engine.issue_table_ddl("_dq_out", temp=True))
        if len(frame):
            con.register("_dq_gx_frame", frame)
            con.execute(f"insert into _dq_out select {', '.join(f'cast({c} as {t}) as {c}' for c, t in engine.ISSUE_COLUMNS)} from _dq_gx_frame")
            con.unregister("_dq_gx_frame")
        engine.replace_issues(con, f"not starts_with(rule_id, {engine.q(engine.GX_PREFIX)})")
        engine.unstage(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return len(issues)
