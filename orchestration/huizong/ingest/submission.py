"""One inbox file to its outcome: loaded (with its parsed forms), rejected (with why) or
ignored. Pure: no database, so it runs in worker processes and in tests alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from huizong.catalog import Catalog
from huizong.ingest.files import InboxFile
from huizong.ingest.sheet import NotAForm, ParsedSheet, SheetRejected, parse_grid
from huizong.ingest.workbook import UnreadableFile, open_grids
from huizong.registry import Registry


@dataclass
class FileOutcome:
    file: InboxFile
    status: str  # loaded | rejected | ignored
    message: str = ""
    sheets: list[ParsedSheet] = field(default_factory=list)

    n_cells: int | None = None  # set when the sheets were left in the worker (see read_chunk)

    @property
    def rows_loaded(self) -> int:
        if self.n_cells is not None and not self.sheets:
            return self.n_cells
        return sum(s.n_cells for s in self.sheets)


def read_submission(file: InboxFile, catalog: Catalog, registry: Registry) -> FileOutcome:
    reason = file.ignore_reason
    if reason:
        return FileOutcome(file, "ignored", reason)
    try:
        grids = open_grids(file.path)
    except UnreadableFile as exc:
        return FileOutcome(file, "rejected", f"{file.rel_path}: {exc}")
    except (OSError, ValueError) as exc:
        return FileOutcome(file, "rejected", f"{file.rel_path}: cannot be read: {exc}")
    sheets: list[ParsedSheet] = []
    problems: list[str] = []
    for grid in grids:
        try:
            sheets.append(parse_grid(grid, catalog, registry))
        except NotAForm:
            continue
        except SheetRejected as exc:
            problems.append(f"sheet {grid.name!r}: {exc}")
        except Exception as exc:  # a reader bug must not stop the inbox
            problems.append(f"sheet {grid.name!r}: unexpected error {type(exc).__name__}: {exc}")
    if problems:
        return FileOutcome(file, "rejected", f"{file.rel_path}: " + "; ".join(problems))
    if not sheets:
        return FileOutcome(file, "rejected", f"{file.rel_path}: no known form (no 表号 of 扶贫1表-扶贫4表/扶贫T表 on any sheet)")
    # A workbook is one township's submission for one date: a sheet without its own
    # 报出日期 takes the one its sibling sheets carry.
    dates = {s.report_date for s in sheets if s.report_date}
    if len(dates) == 1:
        for s in sheets:
            s.report_date = s.report_date or next(iter(dates))
    return FileOutcome(file, "loaded", "", sheets)


_WORKER: tuple[Catalog, Registry] | None = None


def init_worker(seeds_dir: str, areas_csv: str) -> None:
    global _WORKER
    from huizong.catalog import load_catalog

    _WORKER = (load_catalog(Path(seeds_dir)), Registry.from_csv(Path(areas_csv)))


def read_chunk(files: list[InboxFile]):
    """Read several files in a worker and hand back what the store needs in columnar form
    (cheap to send between processes), with light outcomes for progress reports."""
    import gc

    from huizong.ingest.store import Batch

    assert _WORKER is not None
    # Parsing makes many small objects and no reference cycles: the cyclic collector
    # would only cost time here (refcounting frees everything when the chunk is done).
    enabled = gc.isenabled()
    gc.disable()
    try:
        outcomes = [read_submission(f, *_WORKER) for f in files]
        batch = Batch.from_outcomes(outcomes)
        lite = [FileOutcome(o.file, o.status, o.message, [], o.rows_loaded) for o in outcomes]
    finally:
        if enabled:
            gc.enable()
    return lite, batch
