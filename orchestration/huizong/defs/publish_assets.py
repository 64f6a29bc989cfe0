"""From marts to publication: the rules (marts.dq_issues), the gate, the official tables, and
the atomic publish of the warehouse."""


from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    asset,
    asset_check,
    multi_asset_check,
)

from huizong.defs.resources import HuizongPaths
from huizong.freshness import build_fingerprint, record
from huizong.gate import approved_tables_with_errors, build_gate
from huizong.progress import report

FAMILIES = ("balance", "ratio", "standard", "bounds", "cross_form", "hierarchy", "cross_period", "completeness", "plausibility")
FEEDBACK_DIR = "退回修改通知"
MART_DEPS = [AssetKey(["marts", "fct_area_indicator"]), AssetKey(["marts", "fct_target_progress"]), AssetKey(["marts", "dim_area"])]


@asset(key=["marts", "dq_issues"], deps=MART_DEPS, group_name="quality", kinds={"duckdb", "great_expectations"})
def dq_issues(context: AssetExecutionContext, paths: HuizongPaths) -> MaterializeResult:
    """Every rule of expectations/ (set-based SQL) and the Great Expectations suites, one row
    per failed check, each pointing at the file, sheet and cell to fix."""
    from huizong.dq import run_all

    with paths.warehouse.connect_building() as con:
        counts = run_all(con, docs_dir=paths.exports / "_quality", log=context.log,
                         progress=lambda i, n, rule: report(context.log, "checks run", i, n, rule))
        by_sev = dict(con.execute("select severity, count(*) from marts.dq_issues group by 1").fetchall())
    context.log.info(f"data-quality findings: {by_sev}")
    return MaterializeResult(metadata={"errors": by_sev.get("error", 0), "warnings": by_sev.get("warning", 0), **counts})


@multi_asset_check(
    specs=[AssetCheckSpec(f"dq_{family}", asset=AssetKey(["marts", "dq_issues"]), description=f"no {family} findings") for family in FAMILIES],
)
def dq_checks(paths: HuizongPaths):
    """One check per rule family: fails (ERROR) with error findings, (WARN) with warnings."""
    with paths.warehouse.connect_building() as con:
        rows = dict(
            ((f, s), n)
            for f, s, n in con.execute("select family, severity, count(*) from marts.dq_issues group by 1, 2").fetchall()
        )
    for family in FAMILIES:
        errors, warnings = rows.get((family, "error"), 0), rows.get((family, "warning"), 0)
        yield AssetCheckResult(
            check_name=f"dq_{family}",
            asset_key=AssetKey(["marts", "dq_issues"]),
            passed=errors == 0 and warnings == 0,
            severity=AssetCheckSeverity.ERROR if errors else AssetCheckSeverity.WARN,
            metadata={"errors": errors, "warnings": warnings},
        )


@asset(key=["marts", "publication_gate"], deps=[AssetKey(["marts", "dq_issues"])], group_name="publish", kinds={"duckdb"})
def publication_gate(context: AssetExecutionContext, paths: HuizongPaths) -> MaterializeResult:
    """Per official table: approved, or withheld with the rule ids and counts that block it."""
    with paths.warehouse.connect_building() as con:
        decisions = build_gate(con)
    context.log.info(f"publication gate: {decisions}")
    return MaterializeResult(metadata={k: v for k, v in decisions.items()})


@asset_check(asset=AssetKey(["marts", "publication_gate"]), blocking=True, description="no approved table contains an error finding")
def gate_check(paths: HuizongPaths) -> AssetCheckResult:
    """Blocking: if any approved table holds a number with an error-severity finding, no
    official table is written at all."""
    with paths.warehouse.connect_building() as con:
        bad = approved_tables_with_errors(con)
    return AssetCheckResult(passed=bad == 0, metadata={"approved_tables_with_errors": bad})


@asset(key=["exports", "official_tables"], deps=[AssetKey(["marts", "publication_gate"])], group_name="publish", kinds={"excel", "csv"})
def official_tables(context: AssetExecutionContext, paths: HuizongPaths) -> MaterializeResult:
    """The office's tables (xlsx + csv) for every approved table; withheld ones logged."""
    from huizong.export import export_all

    with paths.warehouse.connect_building() as con:
        carry_over_releases(con, paths.warehouse.path)
        summary = export_all(con, paths.exports, log=context.log,
                             progress=lambda i, n, what: report(context.log, "tables done", i, n, what))
    return MaterializeResult(metadata={k: v for k, v in summary.items() if isinstance(v, (int, float, str))})


@asset(key=["exports", "feedback_notices"], deps=[AssetKey(["marts", "dq_issues"])], group_name="quality", kinds={"excel"})
def feedback_notices(context: AssetExecutionContext, paths: HuizongPaths) -> MaterializeResult:
    """退回修改通知: for every township with findings, a workbook listing them with the cell to
    fix in its own file, ready to send back. Not gated: it is about the errors."""
    from huizong.feedback import write_feedback

    with paths.warehouse.connect_building() as con:
        written = write_feedback(con, paths.exports / FEEDBACK_DIR)
    context.log.info(f"feedback notices: {len(written)} townships -> {paths.exports / FEEDBACK_DIR}")
    return MaterializeResult(metadata={"townships": len(written)})


def carry_over_releases(con, published) -> None:
    """A release recorded in the published warehouse while this run was building (``huizong
    release`` writes there) must not be lost when the build replaces it."""
    from huizong.export.log import ensure_log

    if not published.exists():
        return
    ensure_log(con)
    con.execute(f"attach '{published}' as published (read_only)").fetchall()
    try:
        has_log = con.execute(
            "select count(*) from information_schema.tables where table_catalog = 'published' "
            "and table_schema = 'marts' and table_name = 'export_log'"
        ).fetchone()[0]
        if has_log:
            con.execute(
                """insert into marts.export_log by name
                   select p.* from published.marts.export_log p
                   where p.status = 'released' and not exists (
                       select 1 from marts.export_log b
                       where b.period = p.period and b.form_code = p.form_code and b.area_code = p.area_code
                         and b.status = 'released' and b.released_at >= p.released_at)"""
            ).fetchall()
            con.execute(
                """delete from marts.export_log b where exists (
                       select 1 from marts.export_log r
                       where r.period = b.period and r.form_code = b.form_code and r.area_code = b.area_code
                         and r.status = 'released' and (b.status <> 'released' or b.released_at < r.released_at))"""
            ).fetchall()
    finally:
        con.execute("detach published").fetchall()


@asset(key=["warehouse", "published"], deps=[AssetKey(["exports", "official_tables"]), AssetKey(["exports", "feedback_notices"])], group_name="publish")
def published_warehouse(context: AssetExecutionContext, paths: HuizongPaths) -> MaterializeResult:
    """Make the freshly built warehouse the one analysts see, in one rename."""
    with paths.warehouse.connect_building() as con:
        record(con, build_fingerprint(paths.sources))
    path = paths.warehouse.publish()
    context.log.info(f"published {path}")
    return MaterializeResult(metadata={"path": str(path)})
