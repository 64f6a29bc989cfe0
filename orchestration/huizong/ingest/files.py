"""Finding the files of an inbox and deciding which are spreadsheets at all."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}


class SourcesError(ValueError):
    """The sources directory itself is unusable (no registry, unreadable reference data)."""


def reference_paths(sources_dir: Path) -> tuple[Path, Path]:
    """The registry and the subsidy standards under ``<sources>/reference/``."""
    ref = Path(sources_dir) / "reference"
    areas, rates = ref / "areas.csv", ref / "subsidy_rates.csv"
    for p in (areas, rates):
        if not p.is_file():
            raise SourcesError(f"{p}: missing (the sources directory needs reference/areas.csv and reference/subsidy_rates.csv)")
    return areas, rates


@dataclass(frozen=True)
class InboxFile:
    path: Path  # absolute
    rel_path: str  # relative to the sources directory, '/'-separated
    size: int
    sha256: str

    @property
    def ignore_reason(self) -> str | None:
        name = self.path.name
        if name.startswith("~$"):
            return "Excel lock file (~$)"
        if name.startswith("."):
            return "hidden file"
        if self.path.suffix.lower() not in SPREADSHEET_SUFFIXES:
            return "not a spreadsheet"
        return None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# The digests this process has taken: path -> (size, mtime_ns, sha256). One run looks at the
# inbox up to three times (``huizong run``'s freshness check, the ingestion asset's, the
# reader's); a file whose size and mtime are unchanged since is not read again. A digest is
# only kept for a file last modified well before it was read (as git does for its index), so a
# file rewritten within the file system's timestamp granularity is still read afresh.
_digests: dict[Path, tuple[int, int, str]] = {}
_SETTLED_NS = 2_000_000_000


def _digest(path: Path, st: os.stat_result) -> str:
    known = _digests.get(path)
    if known is not None and known[:2] == (st.st_size, st.st_mtime_ns):
        return known[2]
    started = time.time_ns()
    digest = file_sha256(path)
    if st.st_mtime_ns < started - _SETTLED_NS:
        _digests[path] = (st.st_size, st.st_mtime_ns, digest)
    return digest


def discover(sources_dir: Path, inbox_dir: Path | None = None) -> list[InboxFile]:
    """Every file under the inbox (default ``SOURCES/inbox``, or SOURCES itself when it has
    no ``inbox`` folder), skipping ``reference/``. Sorted by path so runs are deterministic."""
    sources_dir = sources_dir.resolve()
    if inbox_dir is None:
        inbox_dir = sources_dir / "inbox" if (sources_dir / "inbox").is_dir() else sources_dir
    inbox_dir = Path(inbox_dir).resolve()
    reference = (sources_dir / "reference").resolve()
    found: list[tuple[tuple[str, ...], Path, os.stat_result]] = []
    for dirpath, dirnames, filenames in os.walk(inbox_dir):
        here = Path(dirpath)
        if here == reference or reference in here.parents:
            dirnames[:] = []
            continue
        dirnames[:] = [d for d in dirnames if here / d != reference]
        for name in filenames:
            path = here / name
            try:
                st = path.stat()
            except OSError:  # gone meanwhile, or a dangling link
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            rel = path.relative_to(sources_dir).as_posix()
            found.append((tuple(rel.split("/")), path, st))
    found.sort(key=lambda x: x[0])
    # Hashing is I/O and C code: a few threads overlap it.
    with ThreadPoolExecutor(4) as pool:
        digests = list(pool.map(_digest, [p for _, p, _ in found], [st for _, _, st in found], chunksize=64))
    return [
        InboxFile(path=p, rel_path="/".join(parts), size=st.st_size, sha256=d)
        for (parts, p, st), d in zip(found, digests)
    ]
