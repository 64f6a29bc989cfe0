"""The dbt project as Dagster assets (dbt tests become asset checks)."""


import os

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from huizong import DBT_PROJECT_DIR
from huizong.defs.resources import HuizongPaths

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def ensure_manifest(project: DbtProject = dbt_project) -> None:
    """Parse the project when the manifest is missing or older than any model, seed or macro."""
    manifest = project.manifest_path
    newest = max(
        (p.stat().st_mtime for sub in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / sub).rglob("*") if p.is_file()),
        default=0,
    )
    newest = max(newest, (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        os.environ.setdefault("HUIZONG_WAREHOUSE", str(DBT_PROJECT_DIR.parent / "huizong.duckdb"))
        from dbt.cli.main import dbtRunner

        res = dbtRunner().invoke(
            ["parse", "--quiet", "--project-dir", str(project.project_dir), "--profiles-dir", str(project.profiles_dir),
             "--target-path", str(project.target_path)]
        )
        if not res.success:
            raise RuntimeError(f"dbt parse failed: {res.exception}")


ensure_manifest()

translator = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator)
def huizong_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, paths: HuizongPaths):
    """Staging, intermediate and marts, built bottom-up from the raw cells."""
    os.environ["HUIZONG_WAREHOUSE"] = str(paths.warehouse.ensure_building())
    yield from dbt.cli(["build"], context=context).stream()
