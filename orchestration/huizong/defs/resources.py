"""Where a run reads and writes: one resource, configured from the CLI or from the
environment (``HUIZONG_SOURCES``, ``HUIZONG_WAREHOUSE``, ``HUIZONG_EXPORTS``) for the
scheduled job."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource

from huizong import PROJECT_ROOT
from huizong.warehouse import Warehouse


def default_paths() -> dict[str, str]:
    return {
        "sources_dir": os.environ.get("HUIZONG_SOURCES", str(PROJECT_ROOT / "sources")),
        "warehouse_path": os.environ.get("HUIZONG_WAREHOUSE_PUBLISHED", str(PROJECT_ROOT / "huizong.duckdb")),
        "exports_dir": os.environ.get("HUIZONG_EXPORTS", str(PROJECT_ROOT / "exports")),
    }


class HuizongPaths(ConfigurableResource):
    sources_dir: str
    warehouse_path: str
    exports_dir: str
    workers: int = 2
    force: bool = False  # rebuild even when nothing changed

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.warehouse_path)

    @property
    def sources(self) -> Path:
        return Path(self.sources_dir)

    @property
    def exports(self) -> Path:
        return Path(self.exports_dir)
