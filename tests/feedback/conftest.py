"""Fixtures: the hand-built warehouse of ``feedback_fixtures``."""

from __future__ import annotations

import duckdb
import pytest
from feedback_fixtures import build_warehouse


@pytest.fixture()
def con():
    c = duckdb.connect()
    build_warehouse(c)
    yield c
    c.close()
