"""Shared fixtures: the sample inbox, and warehouses built from it through the real stages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from huizong import DBT_PROJECT_DIR

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = Path(os.environ.get("HUIZONG_SAMPLES", SHARED / "samples"))


def pytest_collection_modifyitems(items):
    # Tests that share the (expensive) sample warehouse run in one xdist worker.
    for item in items:
        if "sample_warehouse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("sample_warehouse"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not (SAMPLES / "sources").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"sample inbox not found at {SAMPLES} (CI must have shared/ beside the clone)")
        pytest.skip(f"sample inbox not found at {SAMPLES}")
    return SAMPLES


def run_dbt(warehouse: Path, target_dir: Path, *args: str) -> None:
    """``dbt build`` (or other args) of the project against ``warehouse``."""
    from dbt.cli.main import dbtRunner

    os.environ["HUIZONG_WAREHOUSE"] = str(warehouse)
    res = dbtRunner().invoke(
        [*(args or ("build",)), "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(target_dir / "target"), "--log-path", str(target_dir / "logs"), "--quiet"]
    )
    if not res.success:
        raise RuntimeError(f"dbt {' '.join(args or ('build',))} failed: {res.exception or res.result}")


def build_sample_warehouse(tmp_path: Path, samples: Path = SAMPLES) -> Path:
    """Copy the sample sources, ingest them and build every dbt model: raw + marts."""
    from huizong.ingest.pipeline import ingest

    sources = tmp_path / "sources"
    shutil.copytree(samples / "sources", sources)
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        ingest(sources, con, workers=1)
    finally:
        con.close()
    run_dbt(warehouse, tmp_path)
    return warehouse


@pytest.fixture(scope="session")
def sample_warehouse(samples_dir, tmp_path_factory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("sample_wh"), samples_dir)
