"""The whole job through the Dagster assets, as `huizong run` and the schedule run it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, materialize
from typer.testing import CliRunner

from huizong.cli import app

pytestmark = pytest.mark.xdist_group("e2e")


@pytest.fixture(scope="module")
def job_run(samples_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("job")
    sources = root / "sources"
    shutil.copytree(samples_dir / "sources", sources)
    result = CliRunner().invoke(
        app, ["run", "--sources", str(sources), "--warehouse", str(root / "w.duckdb"), "--exports", str(root / "exports")]
    )
    return root, result


def _q(path: Path, sql: str):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_run_exits_zero_and_summarises(job_run):
    root, result = job_run
    assert result.exit_code == 0, result.output
    assert "files:" in result.output and "loaded" in result.output
    assert "issues:" in result.output and "error" in result.output
    assert "tables:" in result.output and "withheld" in result.output and "written" in result.output
    assert not (root / "w.duckdb.building").exists()  # published


def test_statuses_match_truth(job_run, samples_dir):
    root, _ = job_run
    got = dict(_q(root / "w.duckdb", "select file_path, status from marts.ingest_files"))
    with open(samples_dir / "truth" / "files.csv", encoding="utf-8") as fh:
        truth = {r["file_path"]: r["expected_status"] for r in csv.DictReader(fh)}
    assert got == truth


def test_written_tables_exist_and_withheld_do_not(job_run):
    root, _ = job_run
    log = _q(root / "w.duckdb", "select period, form_code, area_code, status, path from marts.export_log")
    assert {s for *_, s, _ in log} >= {"written", "withheld"}
    for period, form, area, status, _ in log:
        xlsx = root / "exports" / period / f"{form}_{area}.xlsx"
        assert xlsx.exists() == (status != "withheld"), (period, form, area, status)
        assert xlsx.with_suffix(".csv").exists() == (status != "withheld")
    # every withheld table says which rules block it
    reasons = _q(root / "w.duckdb", "select reason from marts.export_log where status = 'withheld'")
    assert all(r and "finding" in r for (r,) in reasons)


def test_injected_mistakes_are_found(job_run, samples_dir):
    root, _ = job_run
    issues = _q(root / "w.duckdb", "select family, severity, period, area_code from marts.dq_issues")
    found = {tuple(i) for i in issues}
    with open(samples_dir / "truth" / "injected.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert (row["family"], row["severity"], row["period"], row["area_code"]) in found, row


def test_issues_and_release_commands(job_run):
    root, _ = job_run
    wh = root / "w.duckdb"
    out = CliRunner().invoke(app, ["issues", "--warehouse", str(wh), "--severity", "error"])
    assert out.exit_code == 0 and "fix:" in out.output
    period, form, area = _q(wh, "select period, form_code, area_code from marts.export_log where status = 'withheld' order by 1, 2, 3 limit 1")[0]
    rel = CliRunner().invoke(
        app, ["release", "--warehouse", str(wh), "--exports", str(root / "exports"), "--period", period, "--form", form,
              "--area", area, "--reason", "核实无误", "--by", "张科长"]
    )
    assert rel.exit_code == 0, rel.output
    assert (root / "exports" / period / f"{form}_{area}.xlsx").exists()
    row = _q(wh, f"select status, reason, released_by from marts.export_log where period = '{period}' and form_code = '{form}' and area_code = '{area}'")
    assert row == [("released", "核实无误", "张科长")]


def test_rerun_without_changes_does_nothing(job_run):
    root, _ = job_run
    from huizong.defs.definitions import ALL_ASSETS, ALL_CHECKS, build_resources
    from huizong.defs.ingest_assets import raw_inbox

    args = (str(root / "sources"), str(root / "w.duckdb"), str(root / "exports"))
    res = materialize([*ALL_ASSETS, *ALL_CHECKS], resources=build_resources(*args), instance=DagsterInstance.ephemeral())
    assert res.success
    assert not res.get_asset_materialization_events()  # everything after ingestion skipped
    # forced, the ingestion still reads no file: every content hash is known
    res = materialize([raw_inbox], resources=build_resources(*args, force=True), instance=DagsterInstance.ephemeral())
    mat = res.asset_materializations_for_node("raw_inbox")
    meta = next(m.metadata for m in mat if m.asset_key == AssetKey(["raw", "files"]))
    assert meta["files_read"].value == 0
    assert meta["files_unchanged"].value > 80


def test_failing_gate_check_blocks_the_exports(samples_dir, tmp_path, monkeypatch):
    """A blocking check that fails really stops the downstream asset: make the gate approve
    every table (a gate bug) and the official tables must not be written."""
    import huizong.defs.publish_assets as publish_assets
    from huizong.defs.definitions import ALL_ASSETS, ALL_CHECKS, build_resources

    def approve_everything(con):
        con.execute(
            """create or replace table marts.publication_gate as
               select period, form_code, area_code, area_level, 'approved' as decision, 0 as n_errors, null as reason
               from (select distinct f.period, i.form_code, f.area_code, f.area_level
                     from marts.fct_area_indicator f join marts.dim_indicator i using (indicator_code)
                     where f.area_level in ('county', 'city', 'province'))"""
        ).fetchall()
        return {"approved": 1}

    monkeypatch.setattr(publish_assets, "build_gate", approve_everything)
    sources = tmp_path / "sources"
    shutil.copytree(samples_dir / "sources", sources)
    res = materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources=build_resources(str(sources), str(tmp_path / "w.duckdb"), str(tmp_path / "exports")),
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    checks = {e.check_name: e.passed for e in res.get_asset_check_evaluations()}
    assert checks["gate_check"] is False
    materialized = {e.event_specific_data.materialization.asset_key for e in res.get_asset_materialization_events()}
    assert AssetKey(["exports", "official_tables"]) not in materialized
    assert AssetKey(["warehouse", "published"]) not in materialized
    assert not [p for p in (tmp_path / "exports").rglob("*.xlsx") if p.parent.name != "退回修改通知"]


@pytest.mark.parametrize("name", ["raw.duckdb", "marts.duckdb", "Staging.db", "marts.v2.duckdb"])
def test_a_warehouse_named_like_a_schema_is_refused(samples_dir, tmp_path, name):
    """DuckDB names the database after the file: ``raw.duckdb`` would make ``raw.cells``
    ambiguous. The run refuses before touching anything and says why."""
    result = CliRunner().invoke(
        app, ["run", "--sources", str(samples_dir / "sources"), "--warehouse", str(tmp_path / name),
              "--exports", str(tmp_path / "exports")]
    )
    assert result.exit_code == 2
    said = result.output.replace("\n", "")  # the console folds long lines
    assert f"a file named {name}" in said and "schema" in said
    assert not any(tmp_path.iterdir())  # no warehouse, no exports folder


def test_a_rerun_without_changes_stops_early_unless_exporting_elsewhere(job_run, tmp_path):
    root, _ = job_run
    shutil.copyfile(root / "w.duckdb", tmp_path / "w.duckdb")  # the module's warehouse stays as it is
    args = ["run", "--sources", str(root / "sources"), "--warehouse", str(tmp_path / "w.duckdb")]
    # same inbox, code and exports folder: nothing to do, said before Dagster is even loaded
    same = CliRunner().invoke(app, [*args, "--exports", str(root / "exports")])
    assert same.exit_code == 0, same.output
    assert "nothing to do" in same.output and "steps:" not in same.output
    # another exports folder: the job runs and writes the tables there
    other = CliRunner().invoke(app, [*args, "--exports", str(tmp_path / "elsewhere")])
    assert other.exit_code == 0, other.output
    assert "nothing to do" not in other.output and "steps:" in other.output
    assert list((tmp_path / "elsewhere").glob("*/FP1_*.xlsx"))
