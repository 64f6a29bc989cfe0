"""Fixtures of the rule tests; the warehouse builder is ``dq_testkit`` (a module of its own,
so that no test imports a ``conftest``)."""

import pytest

from dq_testkit import Warehouse


@pytest.fixture
def wh() -> Warehouse:
    w = Warehouse().standard_registry().area_years()
    yield w
    w.con.close()
