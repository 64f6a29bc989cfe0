"""The Dagster definitions as the daemon loads them: they validate, the schedule fires at
02:00 Beijing time, the sensor starts a run exactly when the inbox changes, and the job the
schedule runs builds and publishes a warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

import duckdb
import pytest
from dagster import Definitions, RunRequest, SkipReason, build_schedule_context, build_sensor_context

from huizong import PROJECT_ROOT

pytestmark = pytest.mark.xdist_group("e2e")


def test_dagster_definitions_validate(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.run([str(dagster), "definitions", "validate", "-m", "huizong.defs.definitions"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_the_schedule_runs_the_whole_job_at_two_in_beijing():
    from huizong.defs.definitions import defs
    from huizong.defs.schedules import nightly_schedule

    assert nightly_schedule.cron_schedule == "0 2 * * *"
    assert nightly_schedule.execution_timezone == "Asia/Shanghai"
    assert nightly_schedule.job_name == "huizong_nightly"
    job = defs.resolve_job_def("huizong_nightly")
    every_asset = {spec.key for spec in defs.resolve_all_asset_specs()}
    assert every_asset and every_asset <= set(job.asset_layer.executable_asset_keys)
    when = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)  # 02:00 on Dec 2 in Beijing
    request = nightly_schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=when)).run_requests
    assert len(request) == 1 and request[0].tags["trigger"] == "schedule"


def _evaluate(sensor, cursor):
    ctx = build_sensor_context(cursor=cursor)
    result = sensor(ctx)
    return result, ctx.cursor


def test_the_sensor_starts_a_run_when_the_inbox_changes(tmp_path, monkeypatch):
    from huizong.defs.schedules import inbox_sensor

    sources = tmp_path / "sources"
    (sources / "inbox" / "镇A").mkdir(parents=True)
    first = sources / "inbox" / "镇A" / "扶贫1表.xlsx"
    first.write_bytes(b"one")
    monkeypatch.setenv("HUIZONG_SOURCES", str(sources))

    result, cursor = _evaluate(inbox_sensor, None)
    assert isinstance(result, SkipReason) and "first evaluation" in result.skip_message
    result, cursor = _evaluate(inbox_sensor, cursor)
    assert isinstance(result, SkipReason) and "unchanged" in result.skip_message

    second = sources / "inbox" / "镇A" / "扶贫2表.xlsx"
    second.write_bytes(b"two")  # a file added
    result, cursor = _evaluate(inbox_sensor, cursor)
    assert isinstance(result, RunRequest) and result.tags["changed_files"] == "1"
    result, cursor = _evaluate(inbox_sensor, cursor)
    assert isinstance(result, SkipReason)

    first.write_bytes(b"one, corrected")  # a file changed
    result, cursor = _evaluate(inbox_sensor, cursor)
    assert isinstance(result, RunRequest)

    second.unlink()  # a file removed
    result, cursor = _evaluate(inbox_sensor, cursor)
    assert isinstance(result, RunRequest) and result.run_key.startswith("inbox-")


def test_the_scheduled_job_builds_and_publishes(samples_dir, tmp_path):
    from dagster import DagsterInstance

    from huizong.defs.definitions import ALL_ASSETS, ALL_CHECKS, build_resources
    from huizong.defs.schedules import inbox_sensor, nightly_job, nightly_schedule

    sources = tmp_path / "sources"
    shutil.copytree(samples_dir / "sources", sources)
    warehouse = tmp_path / "w.duckdb"
    defs = Definitions(assets=ALL_ASSETS, asset_checks=ALL_CHECKS, jobs=[nightly_job], schedules=[nightly_schedule],
                       sensors=[inbox_sensor], resources=build_resources(str(sources), str(warehouse), str(tmp_path / "exports")))
    result = defs.resolve_job_def("huizong_nightly").execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success
    assert warehouse.exists() and not Path(str(warehouse) + ".building").exists()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from marts.fct_area_indicator").fetchone()[0] > 0
        assert con.execute("select count(*) from marts.export_log where status = 'written'").fetchone()[0] > 0
    finally:
        con.close()


def test_the_dagster_dbt_internals_huizong_replaces_still_exist():
    """``DbtCli`` overrides two private methods of dagster-dbt to save start-up time; an
    upgrade that renames them must fail here instead of silently costing seconds a night."""
    from dagster_dbt import DbtCliResource

    from huizong.defs.definitions import DBT_EXECUTABLE, build_resources

    assert callable(getattr(DbtCliResource, "_initialize_dbt_core_adapter", None))
    assert isinstance(DbtCliResource.__dict__.get("_cli_version"), cached_property)
    dbt = build_resources()["dbt"]
    assert dbt.dbt_executable == DBT_EXECUTABLE
    assert dbt._cli_version.major == 1 and dbt._initialize_dbt_core_adapter(["build"]) is None
