"""Finding the files of an inbox and deciding which are spreadsheets at all."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}


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


def discover(sources_dir: Path, inbox_dir: Path | None = None) -> list[InboxFile]:
    """Every file under the inbox (default ``SOURCES/inbox``, or SOURCES itself when it has
    no ``inbox`` folder), skipping ``reference/``. Sorted by path so runs are deterministic."""
    sources_dir = sources_dir.resolve()
    if inbox_dir is None:
        inbox_dir = sources_dir / "inbox" if (sources_dir / "inbox").is_dir() else sources_dir
    reference = (sources_dir / "reference").resolve()
    found = []
    for path in sorted(p for p in inbox_dir.rglob("*") if p.is_file()):
        if reference in path.resolve().parents:
            continue
        found.append(
            InboxFile(path=path, rel_path=path.relative_to(sources_dir).as_posix(), size=path.stat().st_size, sha256=file_sha256(path))
        )
    return found
