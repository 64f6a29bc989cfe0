"""Fixtures: the hand-built warehouse of ``export_fixtures``, fresh or exported once."""

from __future__ import annotations

import duckdb
import pytest
from export_fixtures import build_warehouse


@pytest.fixture()
def con():
    c = duckdb.connect()
    build_warehouse(c)
    yield c
    c.close()


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """One export of the fixture warehouse, shared by the read-only tests."""
    from huizong.export import export_all

    root = tmp_path_factory.mktemp("exported")
    c = duckdb.connect()
    build_warehouse(c)
    summary = export_all(c, root / "EXPORTS")
    yield c, root / "EXPORTS", summary
    c.close()
