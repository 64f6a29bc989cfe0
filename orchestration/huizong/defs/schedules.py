"""The nightly schedule and the inbox sensor."""


import hashlib
import json
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    schedule,
    sensor,
)

from huizong.defs.resources import default_paths

# One writer at a time on a DuckDB file: the whole job runs its steps in one process.
nightly_job = define_asset_job("huizong_nightly", selection=AssetSelection.all(), executor_def=in_process_executor)


@schedule(job=nightly_job, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai", default_status=DefaultScheduleStatus.RUNNING)
def nightly_schedule(context):
    """02:00 Beijing time, every night."""
    return RunRequest(run_key=None, tags={"trigger": "schedule"})


def inbox_fingerprint(sources_dir: Path) -> dict[str, str]:
    """Path -> (size, mtime) of every file under the sources dir: cheap, no file is read."""
    out = {}
    for p in sorted(Path(sources_dir).rglob("*")):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(sources_dir).as_posix()] = f"{st.st_size}:{st.st_mtime_ns}"
    return out


@sensor(job=nightly_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING)
def inbox_sensor(context: SensorEvaluationContext):
    """Start a run when files are added to, changed in or removed from the inbox."""
    sources = Path(default_paths()["sources_dir"])
    if not sources.is_dir():
        return SkipReason(f"sources directory {sources} does not exist")
    current = inbox_fingerprint(sources)
    previous = json.loads(context.cursor) if context.cursor else None
    digest = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
    context.update_cursor(json.dumps(current))
    if previous is None:
        return SkipReason("first evaluation: inbox state recorded")
    if previous == current:
        return SkipReason("inbox unchanged")
    changed = sorted(k for k in set(current) | set(previous) if current.get(k) != previous.get(k))
    return RunRequest(run_key=f"inbox-{digest}", tags={"trigger": "inbox", "changed_files": str(len(changed))})
