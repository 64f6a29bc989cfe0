"""The dbt project as Dagster assets (dbt tests become asset checks)."""


import os
from pathlib import Path

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from huizong import DBT_PROJECT_DIR
from huizong.defs.resources import HuizongPaths

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _newest_source_mtime() -> float:
    newest = max(
        (p.stat().st_mtime for sub in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / sub).rglob("*") if p.is_file()),
        default=0,
    )
    return max(newest, (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime)


def ensure_manifest(project: DbtProject = dbt_project) -> None:
    """Parse the project when the manifest is missing or older than any model, seed or macro.

    Several processes may import the definitions at once (test workers, the daemon and the
    webserver): the parse runs under a file lock, into a private directory, and the manifest
    is moved into place in one rename, so nobody reads a half-written file."""
    import fcntl
    import shutil
    import tempfile

    manifest = project.manifest_path
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime():
        return
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.parent / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime():
            return  # another process parsed it while we waited
        os.environ.setdefault("HUIZONG_WAREHOUSE", str(DBT_PROJECT_DIR.parent / "huizong.duckdb"))
        from dbt.cli.main import dbtRunner

        tmp = Path(tempfile.mkdtemp(prefix="parse-", dir=manifest.parent))
        try:
            res = dbtRunner().invoke(
                ["parse", "--quiet", "--project-dir", str(project.project_dir), "--profiles-dir", str(project.profiles_dir),
                 "--target-path", str(tmp), "--log-path", str(tmp / "logs")]
            )
            if not res.success:
                raise RuntimeError(f"dbt parse failed: {res.exception}")
            os.replace(tmp / "manifest.json", manifest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


ensure_manifest()

translator = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator)
def huizong_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, paths: HuizongPaths):
    """Staging, intermediate and marts, built bottom-up from the raw cells."""
    os.environ["HUIZONG_WAREHOUSE"] = str(paths.warehouse.ensure_building())
    yield from dbt.cli(["build"], context=context).stream()
