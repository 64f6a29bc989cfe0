"""End to end on the sample inbox: every deliberate mistake of ``truth/injected.csv`` is found
(same family, severity, period and area, and an overlapping indicator when it lists any), and
no error is raised at an (area, period) without one — except the direct consequences in the
same township's 合计 row (same period).

The warehouse (raw + dbt models) comes from the shared test helpers of ``tests/conftest.py``:
the session fixture ``sample_warehouse`` when there is one, else ``build_sample_warehouse``
(a fixture, or a plain helper function ``build_sample_warehouse(tmp_path) -> Path``). Without
either, or without the samples, the module is skipped. The checks run on a copy.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from huizong import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sample_warehouse")]


def _plugin_attr(request, name):
    for plugin in request.config.pluginmanager.get_plugins():
        value = getattr(plugin, name, None)
        if value is not None and getattr(plugin, "__file__", "").endswith("conftest.py"):
            return value
    return None


def _warehouse_path(request, tmp_path: Path) -> Path:
    try:
        return Path(request.getfixturevalue("sample_warehouse"))
    except pytest.FixtureLookupError:
        pass
    try:
        found = request.getfixturevalue("build_sample_warehouse")
        return Path(found(tmp_path) if callable(found) else found)
    except pytest.FixtureLookupError:
        pass
    helper = _plugin_attr(request, "build_sample_warehouse")
    if callable(helper):
        return Path(helper(tmp_path))
    pytest.skip("no sample_warehouse / build_sample_warehouse in tests/conftest.py")


def _samples_dir(request) -> Path:
    candidates = [os.environ.get("HUIZONG_SAMPLES"), _plugin_attr(request, "SAMPLES"), PROJECT_ROOT.parent / "shared" / "samples"]
    for c in candidates:
        if c and (Path(c) / "truth" / "injected.csv").is_file():
            return Path(c)
    pytest.skip("truth/injected.csv of the samples not found")


@pytest.fixture(scope="module")
def checked(request, tmp_path_factory):
    """(issues, injected, township_of) after running every check on a copy of the sample warehouse."""
    from huizong.dq import run_all

    samples = _samples_dir(request)
    tmp = tmp_path_factory.mktemp("dq_samples")
    source = _warehouse_path(request, tmp / "build")
    copy = tmp / "checked.duckdb"
    # dbt-duckdb may keep the built file open in this process with its WAL unmerged: connect
    # with the default configuration (the same instance), checkpoint, then copy
    src = duckdb.connect(str(source))
    try:
        src.execute("checkpoint")
    finally:
        src.close()
    shutil.copy(source, copy)
    con = duckdb.connect(str(copy))
    try:
        run_all(con, docs_dir=tmp / "data_docs")
        cur = con.execute("select * from marts.dq_issues")
        cols = [d[0] for d in cur.description]
        issues = [dict(zip(cols, row)) for row in cur.fetchall()]
        township_of = {
            (year, code): town
            for year, code, town in con.execute(
                "select year, area_code, township_code from intermediate.int_area_years"
            ).fetchall()
        }
    finally:
        con.close()
    with open(samples / "truth" / "injected.csv", encoding="utf-8-sig", newline="") as fh:
        injected = list(csv.DictReader(fh))
    return issues, injected, township_of


def _codes(text: str) -> set[str]:
    return {c for c in (text or "").split("|") if c}


def test_every_injected_mistake_is_found(checked):
    issues, injected, _ = checked
    missing = []
    for m in injected:
        codes = _codes(m["indicator_codes"])
        if not any(
            i["family"] == m["family"] and i["severity"] == m["severity"] and i["period"] == m["period"]
            and i["area_code"] == m["area_code"] and (not codes or codes & set(i["indicator_codes"] or []))
            for i in issues
        ):
            missing.append(f'{m["kind"]} {m["family"]}/{m["severity"]} {m["period"]} {m["area_code"]} {m["indicator_codes"]}')
    assert not missing, "not found:\n" + "\n".join(missing)


def test_no_error_beyond_the_injected_mistakes(checked):
    issues, injected, township_of = checked
    allowed = set()
    for m in injected:
        allowed.add((m["area_code"], m["period"]))
        town = township_of.get((int(m["period"][:4]), m["area_code"]))
        if town:
            allowed.add((town, m["period"]))  # the same township's 合计 row
    false_alarms = [
        f'{i["rule_id"]} {i["period"]} {i["area_code"]} {i["indicator_codes"]}: {i["message"]}'
        for i in issues
        if i["severity"] == "error" and (i["area_code"], i["period"]) not in allowed
    ]
    assert not false_alarms, "false alarms:\n" + "\n".join(false_alarms)


def test_findings_point_at_their_source(checked):
    issues, _, _ = checked
    for i in issues:
        assert i["message"] and "{" not in i["message"], i
        if i["rule_id"] != "completeness.missing_submission":
            assert i["source_file"], i
        if i["family"] in ("balance", "ratio", "standard", "bounds", "cross_form", "hierarchy", "cross_period"):
            assert i["source_sheet"] and i["source_cell"], i
