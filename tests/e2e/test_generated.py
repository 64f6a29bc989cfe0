"""The whole job on generated inboxes: every FORMS.md variation is read without a false
alarm, and every deliberately injected mistake is found where it was put."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from huizong.demo.generator import generate
from huizong.jobrun import run_job

pytestmark = pytest.mark.xdist_group("e2e")


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _build(root: Path, mistakes: bool) -> Path:
    sources = root / "sources"
    generate(sources, scale="tiny", seed=11, mistakes=mistakes)
    run_job(sources, root / "w.duckdb", root / "exports")
    return sources


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("clean")
    return root, _build(root, mistakes=False)


@pytest.fixture(scope="module")
def mistakes_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("mistakes")
    return root, _build(root, mistakes=True)


def test_variations_are_not_mistakes(clean_run):
    root, _ = clean_run
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        errors = con.execute(
            "select rule_id, period, area_code, message from marts.dq_issues where severity = 'error' order by 1, 2, 3"
        ).fetchall()
        withheld = con.execute("select count(*) from marts.export_log where status = 'withheld'").fetchone()[0]
    finally:
        con.close()
    # the generated inbox still holds its bad files (corrupt, unknown township, conflicts…):
    # those are completeness findings by design; nothing else may be an error
    unexpected = [e for e in errors if not e[0].startswith("completeness.conflict")]
    assert unexpected == []
    assert withheld <= len(errors)


def test_village_values_match_generated_truth(clean_run):
    root, sources = clean_run
    truth = _rows(sources / "truth" / "village_values.csv")
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        got = {
            (p, a, i): v
            for p, a, i, v in con.execute(
                "select period, area_code, indicator_code, value from marts.fct_area_indicator where area_level = 'village'"
            ).fetchall()
        }
    finally:
        con.close()
    misses = [
        r for r in truth
        if r["value"] != "" and (got.get((r["period"], r["area_code"], r["indicator_code"])) is None
                                 or abs(got[(r["period"], r["area_code"], r["indicator_code"])] - float(r["value"])) > 1e-9 * max(1.0, abs(float(r["value"]))))
    ]
    assert not misses, misses[:10]


def test_statuses_match_generated_truth(mistakes_run):
    root, sources = mistakes_run
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        got = dict(con.execute("select file_path, status from marts.ingest_files").fetchall())
    finally:
        con.close()
    truth = {r["file_path"]: r["expected_status"] for r in _rows(sources / "truth" / "files.csv")}
    assert got == truth


def test_every_injected_mistake_is_found(mistakes_run):
    root, sources = mistakes_run
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        issues = con.execute("select family, severity, period, area_code, indicator_codes from marts.dq_issues").fetchall()
    finally:
        con.close()
    for row in _rows(sources / "truth" / "injected.csv"):
        wanted = set(filter(None, row["indicator_codes"].split("|")))
        hits = [
            i for i in issues
            if (i[0], i[1], i[2], i[3]) == (row["family"], row["severity"], row["period"], row["area_code"])
            and (not wanted or wanted & set(i[4] or []))
        ]
        assert hits, row
