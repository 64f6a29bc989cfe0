"""Ingest an inbox into the raw schema: discover, skip what is unchanged, read the rest
(in parallel), and replace exactly the contributions of changed or removed files."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from huizong.catalog import SEEDS_DIR, load_catalog
from huizong.ingest import store
from huizong.ingest.files import SourcesError, discover, reference_paths  # noqa: F401 - SourcesError: part of this API
from huizong.ingest.state import state_get, state_put
from huizong.ingest.submission import FileOutcome, init_worker, read_chunk, read_submission
from huizong.registry import Registry


@dataclass
class IngestSummary:
    seen: int
    read: int
    unchanged: int
    removed: int
    by_status: dict[str, int]
    cells: int
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase


def ingest(
    sources_dir: Path,
    con: duckdb.DuckDBPyConnection,
    workers: int | None = None,
    progress: Callable[[int, int, FileOutcome], None] | None = None,
) -> IngestSummary:
    sources_dir = Path(sources_dir)
    areas_csv, rates_csv = reference_paths(sources_dir)
    registry = Registry.from_csv(areas_csv)
    store.ensure_schema(con)
    store.load_reference(con, str(areas_csv), str(rates_csv))

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    files = discover(sources_dir)
    timings["discover"] = time.perf_counter() - t0
    known = store.known_files(con)
    # The registry decides how files read: when it changes, everything is read again.
    registry_hash = _registry_fingerprint(areas_csv)
    if state_get(con, READER_STATE_KEY) != registry_hash:
        known = {}
    todo = [f for f in files if known.get(f.rel_path) != f.sha256]
    present = {f.rel_path for f in files}
    removed = [p for p in known if p not in present]
    if not known:
        removed = [p for (p,) in con.execute("select file_path from raw.files").fetchall() if p not in present]

    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    done = 0

    def report(lite: list[FileOutcome]) -> None:
        nonlocal done
        for outcome in lite:
            done += 1
            if progress:
                progress(done, len(todo), outcome)

    def batches():
        if workers > 1 and len(todo) > 8:
            chunks = _chunks(todo, workers)
            with ProcessPoolExecutor(workers, initializer=init_worker, initargs=(str(SEEDS_DIR), str(areas_csv))) as pool:
                for lite, batch in pool.map(read_chunk, chunks):
                    report(lite)
                    yield batch
        else:
            catalog = load_catalog()
            for i in range(0, len(todo), 64):
                outcomes = [read_submission(f, catalog, registry) for f in todo[i : i + 64]]
                report(outcomes)
                yield store.Batch.from_outcomes(outcomes)

    store.replace_batches(con, batches(), removed, [f.rel_path for f in todo], timings)
    state_put(con, READER_STATE_KEY, registry_hash)
    by_status = dict(con.execute("select status, count(*) from raw.files group by 1").fetchall())
    cells = con.execute("select count(*) from raw.cells").fetchone()[0]
    timings["total"] = time.perf_counter() - t0
    return IngestSummary(len(files), len(todo), len(files) - len(todo), len(removed), by_status, cells, timings)


def _chunks(files: list, workers: int) -> list[list]:
    """Work units of about the same size (bytes), small enough to keep every worker busy to
    the end and the writer fed as it goes."""
    total = sum(f.size for f in files) or 1
    target = max(total / (workers * 24), 1)
    chunks, current, size = [], [], 0.0
    for f in files:
        current.append(f)
        size += f.size
        if size >= target or len(current) >= 256:
            chunks.append(current)
            current, size = [], 0.0
    if current:
        chunks.append(current)
    return chunks


# Bump when the reader reads the same file differently: stored outcomes are then re-read.
READER_VERSION = "2"
READER_STATE_KEY = "reader_inputs"


def _registry_fingerprint(areas_csv: Path) -> str:
    from huizong.ingest.files import file_sha256

    return READER_VERSION + ":" + file_sha256(areas_csv) + ":" + file_sha256(SEEDS_DIR / "catalog_indicators.csv") + file_sha256(SEEDS_DIR / "catalog_label_aliases.csv")


