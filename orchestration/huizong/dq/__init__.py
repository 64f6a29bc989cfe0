"""Data-quality checks (审核规则, FORMS.md section 5) over the warehouse.

- ``expectations/rules/*.yml``: the rule declarations, one file per family, compiled by
  ``huizong.dq.engine`` to set-based DuckDB SQL: ``run_rules(con)``;
- ``expectations/gx/*.yml``: Great Expectations suites over the staged cells and reference
  data, run on pandas batches: ``run_gx(con, docs_dir=...)`` (imported lazily: GX is slow to
  import);
- both write ``marts.dq_issues`` (each replaces only its own rows); ``run_all`` runs both, side by side.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from huizong import EXPECTATIONS_DIR
from huizong.dq.declarations import RULES_DIR, DeclarationError, Rule, load_rules
from huizong.dq.engine import ISSUE_COLUMNS, ISSUE_TABLE, RuleError, compile_rule, explain, run_rules

GX_DIR = EXPECTATIONS_DIR / "gx"


def run_gx(con, docs_dir: Path | str | None = None, gx_dir: Path = GX_DIR, staged: bool = False) -> int:
    """Run the Great Expectations suites; see ``huizong.dq.gx_suites.run_gx``."""
    from huizong.dq.gx_suites import run_gx as _run_gx

    return _run_gx(con, docs_dir=docs_dir, gx_dir=gx_dir, staged=staged)


def prewarm_gx() -> threading.Thread:
    """Import Great Expectations in a background thread and return it (the import alone takes
    seconds of CPU). A step that waits for another process - dbt builds in its own - calls
    this so the checks find GX loaded; importing it again later just waits for this import."""
    def load() -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        try:
            import great_expectations  # noqa: F401
            import great_expectations.validator.v1_validator  # noqa: F401
        except Exception:  # noqa: BLE001 - the checks import it again and report the error there
            pass

    thread = threading.Thread(target=load, name="prewarm-great-expectations", daemon=True)
    thread.start()
    return thread


def run_all(
    con,
    docs_dir: Path | str | None = None,
    rules_dir: Path = RULES_DIR,
    gx_dir: Path = GX_DIR,
    log=None,
    progress=None,
) -> dict[str, int]:
    """Every check: the declared rules and the GX suites (Data Docs to ``docs_dir`` when
    given), side by side - the suites on a second connection to the same database in a thread
    (pandas work) while the rules run in DuckDB here - then the suites' findings are written
    after the rules'. ``log``: anything with ``.info`` (a Dagster or stdlib logger);
    ``progress(i, n, rule_id)``: called after each rule. Returns issue counts by runner:
    ``{"rule_issues": n, "gx_issues": m}``."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from huizong.catalog import default_catalog
    from huizong.dq import engine, gx_suites

    catalog = default_catalog()
    t0 = time.perf_counter()
    gx_con = con.cursor()  # its own temp objects and transactions
    try:
        # con first: DuckDB keeps Python functions in the catalog both connections share, so
        # con registers the rules' function and its unstage (last) removes it
        engine.stage(con, catalog)
        engine.stage(gx_con, catalog)

        def suites() -> tuple[list, float]:
            issues = gx_suites.find_issues(gx_con, docs_dir, gx_dir, staged=True)
            return issues, time.perf_counter() - t0

        with ThreadPoolExecutor(1, thread_name_prefix="great-expectations") as pool:
            gx_run = pool.submit(suites)
            try:
                n_rules = run_rules(con, rules_dir, catalog, staged=True, progress=progress)
            except BaseException:
                gx_con.interrupt()  # do not wait for the suites to finish before failing
                raise
            if log is not None:
                log.info(f"rules ({rules_dir}): {n_rules} issues in {time.perf_counter() - t0:.1f}s")
            gx_issues, gx_s = gx_run.result()
        gx_suites.write_issues(con, gx_issues)
    finally:
        engine.unstage(con)
        gx_con.close()
    if log is not None:
        log.info(f"great expectations ({gx_dir}): {len(gx_issues)} issues in {gx_s:.1f}s, beside the rules"
                 + (f"; data docs in {docs_dir}" if docs_dir is not None else ""))
    return {"rule_issues": n_rules, "gx_issues": len(gx_issues)}


run_checks = run_all


__all__ = [
    "GX_DIR", "ISSUE_COLUMNS", "ISSUE_TABLE", "RULES_DIR", "DeclarationError", "Rule", "RuleError",
    "compile_rule", "explain", "load_rules", "prewarm_gx", "run_all", "run_checks", "run_gx", "run_rules",
]
