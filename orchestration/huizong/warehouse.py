"""The warehouse file and its atomic publication.

A run never writes the published file. It copies the last published state to
``<file>.building`` (raw cells and their hashes come along, so unchanged files are not read
again), builds everything there, and publishes with one ``os.replace``. An analyst's
read-only connection keeps the inode it opened, so it sees the previous complete state and
never blocks the job; a run killed at any moment leaves the published file untouched and the
next run starts again from it.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import duckdb


# The warehouse's schemas (raw: the reader; the rest: dbt_project.yml) and DuckDB's own names.
WAREHOUSE_SCHEMAS = frozenset({"raw", "staging", "intermediate", "marts", "catalog", "main", "temp", "system", "memory"})


def name_problem(path: Path | str) -> str | None:
    """Why ``path`` cannot be the warehouse file, or None. DuckDB names a database after its
    file name up to the first dot (``raw.duckdb`` and ``raw.v2.duckdb`` are both ``raw``): a
    database named like one of its schemas makes ``raw.cells`` ambiguous."""
    path = Path(path)
    db = path.name.split(".", 1)[0]
    if db.lower() in WAREHOUSE_SCHEMAS:
        return (f"warehouse {path}: a file named {path.name} gives the database the name '{db}', the name of one "
                f"of its schemas ({', '.join(sorted(WAREHOUSE_SCHEMAS))}), so a query such as raw.cells would be "
                "ambiguous: choose another file name (e.g. huizong.duckdb)")
    return None


class Warehouse:
    def __init__(self, path: Path | str):
        self.path = Path(path).resolve()

    @property
    def building_path(self) -> Path:
        return self.path.with_name(self.path.name + ".building")

    def begin(self) -> Path:
        """Start a new build from the published state (discarding any crashed build)."""
        problem = name_problem(self.path)
        if problem:
            raise ValueError(problem)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for stale in (self.building_path, Path(str(self.building_path) + ".wal")):
            stale.unlink(missing_ok=True)
        if self.path.exists():
            shutil.copyfile(self.path, self.building_path)
        return self.building_path

    def ensure_building(self) -> Path:
        if not self.building_path.exists():
            return self.begin()
        return self.building_path

    def publish(self) -> Path:
        """Checkpoint the build and make it the published warehouse in one rename."""
        con = duckdb.connect(str(self.building_path))
        try:
            con.execute("checkpoint").fetchall()
        finally:
            con.close()
        fd = os.open(self.building_path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(self.building_path, self.path)
        return self.path

    @contextmanager
    def connect_building(self):
        con = duckdb.connect(str(self.ensure_building()), config=connection_config())
        try:
            yield con
        finally:
            con.close()


def connection_config() -> dict[str, str]:
    """Bounded resources for the job's connections (DuckDB would take 80% of RAM)."""
    return {
        "memory_limit": os.environ.get("HUIZONG_DUCKDB_MEMORY", "1500MB"),
        "threads": os.environ.get("HUIZONG_DUCKDB_THREADS", "2"),
    }


def connect_read_only(path: Path | str) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"warehouse {path} does not exist: run `huizong run` first")
    return duckdb.connect(str(path), read_only=True)
