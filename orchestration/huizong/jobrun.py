"""Run the whole job in-process through the same Dagster assets the schedule runs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import DagsterInstance, materialize


class JobFailed(RuntimeError):
    pass


@dataclass
class RunSummary:
    warehouse: Path
    exports: Path
    files: dict[str, int]
    issues: dict[str, int]
    tables: dict[str, int]


def run_job(sources: Path, warehouse: Path, exports: Path, workers: int = 2, force: bool = False) -> RunSummary:
    sources, warehouse, exports = Path(sources).resolve(), Path(warehouse).resolve(), Path(exports).resolve()
    if not sources.is_dir():
        raise JobFailed(f"sources directory {sources} does not exist")
    from huizong.ingest.pipeline import SourcesError, reference_paths

    try:
        reference_paths(sources)
    except SourcesError as exc:
        raise JobFailed(str(exc)) from exc
    exports.mkdir(parents=True, exist_ok=True)
    os.environ["HUIZONG_WAREHOUSE"] = str(warehouse) + ".building"
    from huizong.defs.definitions import ALL_ASSETS, ALL_CHECKS, build_resources

    resources = build_resources(str(sources), str(warehouse), str(exports), workers, force)
    result = materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources=resources,
        instance=DagsterInstance.ephemeral(),
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
    return summarize(warehouse, exports)


def summarize(warehouse: Path, exports: Path) -> RunSummary:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        files = dict(con.execute("select status, count(*) from marts.ingest_files group by 1 order by 1").fetchall())
        issues = dict(con.execute("select severity, count(*) from marts.dq_issues group by 1 order by 1").fetchall())
        tables = dict(con.execute("select status, count(*) from marts.export_log group by 1 order by 1").fetchall())
    finally:
        con.close()
    return RunSummary(warehouse, exports, files, issues, tables)
