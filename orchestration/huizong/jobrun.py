"""Run the whole job in-process through the same Dagster assets the schedule runs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


class JobFailed(RuntimeError):
    pass



@dataclass
class RunSummary:
    warehouse: Path
    exports: Path
    files: dict[str, int]
    issues: dict[str, int]
    tables: dict[str, int]
    steps: dict[str, float] = field(default_factory=dict)  # wall seconds of each Dagster step
    skipped: str | None = None  # why the job did not start (nothing changed)


def run_job(sources: Path, warehouse: Path, exports: Path, workers: int = 2, force: bool = False) -> RunSummary:
    """Materialize every asset and check (the nightly job) in this process. Unless ``force``,
    a run that would change nothing (``huizong.freshness.up_to_date``) returns the published
    state's summary without starting the job."""
    sources, warehouse, exports = Path(sources).resolve(), Path(warehouse).resolve(), Path(exports).resolve()
    if not sources.is_dir():
        raise JobFailed(f"sources directory {sources} does not exist")
    from huizong.ingest.files import SourcesError, reference_paths

    try:
        reference_paths(sources)
    except SourcesError as exc:
        raise JobFailed(str(exc)) from exc
    from huizong.warehouse import name_problem

    problem = name_problem(warehouse)
    if problem:
        raise JobFailed(problem)
    if not force and warehouse.exists():
        # the check the ingestion asset makes first, made before Dagster is even loaded: with
        # nothing changed, the job would skip every step, so it need not start at all
        from huizong.freshness import up_to_date

        fresh, why = up_to_date(sources, warehouse, exports)
        if fresh:
            summary = summarize(warehouse, exports)
            summary.skipped = f"nothing to do: {why}"
            return summary
    exports.mkdir(parents=True, exist_ok=True)
    os.environ["HUIZONG_WAREHOUSE"] = str(warehouse) + ".building"
    from dagster import DagsterInstance, materialize

    from huizong.defs.definitions import ALL_ASSETS, ALL_CHECKS, build_resources

    resources = build_resources(str(sources), str(warehouse), str(exports), workers, force)
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources=resources,
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": os.environ.get("HUIZONG_LOG_LEVEL", "INFO")}}}},
    )
    if not result.success:
        failures = [
            f"{e.step_key}: {e.event_specific_data.error.message.strip()}"
            for e in result.all_events
            if e.is_step_failure and e.event_specific_data is not None and getattr(e.event_specific_data, "error", None)
        ]
        raise JobFailed("the job failed: " + ("; ".join(failures) or "see the log above"))
    summary = summarize(warehouse, exports)
    summary.steps = step_seconds(instance, result.run_id)
    return summary


def step_seconds(instance, run_id: str) -> dict[str, float]:
    """Wall seconds from each step's start to its end, in the order the steps started."""
    started: dict[str, float] = {}
    took: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
            took[event.step_key] = entry.timestamp - started[event.step_key]
    return {k: took[k] for k in started if k in took}


def summarize(warehouse: Path, exports: Path) -> RunSummary:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        files = dict(con.execute("select status, count(*) from marts.ingest_files group by 1 order by 1").fetchall())
        issues = dict(con.execute("select severity, count(*) from marts.dq_issues group by 1 order by 1").fetchall())
        tables = dict(con.execute("select status, count(*) from marts.export_log group by 1 order by 1").fetchall())
    finally:
        con.close()
    return RunSummary(warehouse, exports, files, issues, tables)
