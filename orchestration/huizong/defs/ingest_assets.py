"""Ingestion: the inbox and the reference data into the raw schema of the building warehouse."""


from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from huizong.defs.resources import HuizongPaths
from huizong.freshness import up_to_date
from huizong.ingest.pipeline import ingest
from huizong.progress import report

RAW_TABLES = ("files", "submissions", "rows", "cells", "areas", "subsidy_rates")


@multi_asset(
    specs=[
        AssetSpec(AssetKey(["raw", t]), group_name="ingest", kinds={"python", "duckdb"}, description=f"raw.{t}", skippable=True)
        for t in RAW_TABLES
    ],
    name="raw_inbox",
)
def raw_inbox(context: AssetExecutionContext, paths: HuizongPaths):
    """Read every file under the inbox (unchanged files are not parsed again) into raw.*.

    When nothing changed since the published build (same files, code and reference data),
    nothing is materialized and every downstream step is skipped."""
    warehouse = paths.warehouse
    if paths.force:
        why = "forced"
    else:
        fresh, why = up_to_date(paths.sources, warehouse.path, paths.exports)
        if fresh:
            context.log.info(f"nothing to do: {why}")
            return
    context.log.info(f"building: {why}")
    warehouse.begin()

    def progress(i: int, n: int, outcome) -> None:
        report(context.log, "files read", i, n, f"{outcome.status}: {outcome.file.rel_path}")

    with warehouse.connect_building() as con:
        summary = ingest(paths.sources, con, workers=paths.workers, progress=progress)
    context.log.info(
        f"ingest: {summary.seen} files seen, {summary.read} read, {summary.unchanged} unchanged, "
        f"{summary.removed} removed; statuses {summary.by_status}; {summary.cells} cells"
    )
    meta = {"files_seen": summary.seen, "files_read": summary.read, "files_unchanged": summary.unchanged, "cells": summary.cells}
    for t in RAW_TABLES:
        yield MaterializeResult(asset_key=AssetKey(["raw", t]), metadata=meta if t == "files" else {})
