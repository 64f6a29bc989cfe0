"""The shared sample inbox: every village value of its answers is read, and every file gets
the status its answers give (superseded and conflicting submissions are decided later, in
dbt: the reader loads them)."""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest

from huizong.ingest.pipeline import ingest

RATIOS = {"A05", "A08", "B08", "C04"}


@pytest.fixture(scope="module")
def sample_raw(samples_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("samples_raw")
    shutil.copytree(samples_dir / "sources", root / "sources")
    con = duckdb.connect(str(root / "wh.duckdb"))
    ingest(root / "sources", con)
    yield con, samples_dir / "truth"
    con.close()


def test_every_file_has_the_expected_status(sample_raw):
    con, truth = sample_raw
    got = dict(con.execute("select file_path, status from raw.files").fetchall())
    with open(truth / "files.csv", encoding="utf-8", newline="") as fh:
        expected = {r["file_path"]: r["expected_status"] for r in csv.DictReader(fh)}
    assert set(got) == set(expected)
    raw_level = {"superseded": "loaded", "conflict": "loaded"}
    wrong = {p: (s, got[p]) for p, s in expected.items() if raw_level.get(s, s) != got[p]}
    assert not wrong


def test_every_village_value_is_in_the_raw_cells(sample_raw):
    con, truth = sample_raw
    cells: dict[tuple, list[float]] = {}
    for period, area, ind, value in con.execute(
        """select c.period, c.area_code, c.indicator_code, c.value from raw.cells c
           join raw.files f using (file_path) where f.status = 'loaded' and c.row_kind = 'village' and c.value is not null"""
    ).fetchall():
        cells.setdefault((period, area, ind), []).append(value)
    missing = []
    n = 0
    with open(truth / "village_values.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["indicator_code"] in RATIOS or (r["indicator_code"].startswith("D") and r["period"].isdigit()):
                continue  # ratios are recomputed and FP4's annual figures derived, later
            n += 1
            v = float(r["value"])
            if not any(abs(x - v) <= 1e-6 * max(1.0, abs(v)) for x in cells.get((r["period"], r["area_code"], r["indicator_code"]), [])):
                missing.append(r)
    assert n > 9000 and not missing, missing[:5]
