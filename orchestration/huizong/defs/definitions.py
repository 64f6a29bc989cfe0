"""Every Dagster definition of huizong, gathered in one place.

`dagster dev -m huizong.defs.definitions` shows the asset graph:
raw.* (ingest) -> dbt staging/intermediate/marts (dbt tests as asset checks)
-> marts.dq_issues (rule families as asset checks) -> publication gate (blocking check)
-> official tables -> published warehouse.
"""

from __future__ import annotations

import shutil

from dagster import Definitions

from huizong.defs.dbt_assets import VENV_DBT, DbtCli, dbt_project, huizong_dbt_assets
from huizong.defs.ingest_assets import raw_inbox
from huizong.defs.publish_assets import (
    dq_checks,
    dq_issues,
    feedback_notices,
    gate_check,
    official_tables,
    publication_gate,
    published_warehouse,
)
from huizong.defs.resources import HuizongPaths, default_paths
from huizong.defs.schedules import inbox_sensor, nightly_job, nightly_schedule

DBT_EXECUTABLE = str(VENV_DBT) if VENV_DBT.exists() else (shutil.which("dbt") or "dbt")

ALL_ASSETS = [raw_inbox, huizong_dbt_assets, dq_issues, feedback_notices, publication_gate, official_tables, published_warehouse]
ALL_CHECKS = [dq_checks, gate_check]


def build_resources(sources_dir: str | None = None, warehouse_path: str | None = None, exports_dir: str | None = None, workers: int = 2, force: bool = False) -> dict:
    paths = default_paths()
    return {
        "paths": HuizongPaths(
            sources_dir=sources_dir or paths["sources_dir"],
            warehouse_path=warehouse_path or paths["warehouse_path"],
            exports_dir=exports_dir or paths["exports_dir"],
            workers=workers,
            force=force,
        ),
        "dbt": DbtCli(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir), dbt_executable=DBT_EXECUTABLE),
    }


defs = Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    sensors=[inbox_sensor],
    resources=build_resources(),
)
