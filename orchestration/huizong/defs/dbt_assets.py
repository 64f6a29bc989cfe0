"""The dbt project as Dagster assets (dbt tests become asset checks)."""


import os
import shutil
import sys
from functools import cached_property
from pathlib import Path

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from huizong import DBT_PROJECT_DIR
from huizong.defs.resources import HuizongPaths
from huizong.dq import prewarm_gx

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
            # the parse state too: each build copies it into its own target folder and parses
            # only what changed since (a full parse of the project costs seconds every run)
            os.replace(tmp / "partial_parse.msgpack", manifest.parent / "partial_parse.msgpack")
            os.replace(tmp / "manifest.json", manifest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


ensure_manifest()

# The dbt of this environment, whether or not the venv is on PATH.
VENV_DBT = Path(sys.executable).parent / "dbt"


class DbtCli(DbtCliResource):
    """dagster-dbt's CLI resource without two start-up costs it pays in the calling process
    before each command (about 3 s each, every night, while dbt starts in its own process
    anyway): it asks the executable for its version (``dbt --version``), which for this
    environment's dbt is the dbt-core installed beside this package; and it opens a dbt adapter
    handle, which serves only ``fetch_column_metadata`` and row counts, which these assets do
    not ask for (they would get none). Both are private methods of dagster-dbt: a test checks
    they still exist, so an upgrade that renames them fails there, not silently."""

    @cached_property
    def _cli_version(self):
        if Path(self.dbt_executable).resolve() != VENV_DBT.resolve():  # another dbt: ask it
            return super()._cli_version
        from importlib.metadata import version as installed

        from packaging import version

        return version.parse(installed("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


translator = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator)
def huizong_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, paths: HuizongPaths):
    """Staging, intermediate and marts, built bottom-up from the raw cells, with their data
    tests. dbt's unit tests check the models' logic on fixed inputs, not the night's data: they
    run with the test suite (``make test``), not every night."""
    os.environ["HUIZONG_WAREHOUSE"] = str(paths.warehouse.ensure_building())
    # dbt works in its own process; meanwhile this one loads what the checks after it need
    prewarm_gx()
    invocation = dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context)
    try:
        yield from invocation.stream()
    finally:  # a build with failing tests parsed the project all the same
        keep_parse_state(Path(invocation.target_path))
        prune_invocation_targets()


def keep_parse_state(invocation_target: Path, project: DbtProject = dbt_project) -> None:
    """Make this build's parse state the one the next build starts from. dbt parses the
    project again in full when the profile differs from the state's (the warehouse path is
    part of it), and dagster-dbt copies the state from target/ into each build's own folder
    but never back: without this every night would parse in full."""
    state = invocation_target / "partial_parse.msgpack"
    tmp = Path(project.manifest_path).parent / f".partial_parse.{os.getpid()}"
    try:
        shutil.copyfile(state, tmp)
        os.replace(tmp, Path(project.manifest_path).parent / "partial_parse.msgpack")
    except OSError:  # no state written (dbt failed early): the next build parses in full
        tmp.unlink(missing_ok=True)


def prune_invocation_targets(project: DbtProject = dbt_project, keep: int = 5, min_age_s: float = 3600) -> None:
    """Each build writes its compiled SQL and results into a folder of its own under target/
    (dagster-dbt's default): keep the newest few to look into, remove the older ones that
    are at least an hour old (no build still running uses them), so nightly runs do not
    fill the disk."""
    import time

    target = Path(project.manifest_path).parent
    runs = []
    for p in target.glob("huizong_dbt_assets-*"):
        try:
            runs.append((p.stat().st_mtime, p))
        except OSError:  # another process pruned it meanwhile
            continue
    for mtime, old in sorted(runs, reverse=True)[keep:]:
        if time.time() - mtime >= min_age_s:
            shutil.rmtree(old, ignore_errors=True)
