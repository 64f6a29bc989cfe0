"""A generated tiny inbox: the raw cells give back exactly the village values its answers
list, and every file gets its status."""

from __future__ import annotations

import csv

import duckdb
import pytest

from huizong.demo.generator import generate
from huizong.ingest.pipeline import ingest

RATIOS = {"A05", "A08", "B08", "C04"}


@pytest.fixture(scope="module")
def tiny_raw(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    truth = generate(out, scale="tiny", seed=11)
    con = duckdb.connect(str(out / "wh.duckdb"))
    ingest(out, con, workers=1)
    yield con, out, truth
    con.close()


def _files(out):
    with open(out / "truth" / "files.csv", encoding="utf-8", newline="") as fh:
        return {r["file_path"]: r for r in csv.DictReader(fh)}


def test_statuses_match_the_answers(tiny_raw):
    con, out, _ = tiny_raw
    expected = _files(out)
    got = dict(con.execute("select file_path, status from raw.files").fetchall())
    assert set(got) == set(expected)
    level = {"superseded": "loaded", "conflict": "loaded"}
    assert {p: got[p] for p in got} == {p: level.get(r["expected_status"], r["expected_status"]) for p, r in expected.items()}
    statuses = {r["expected_status"] for r in expected.values()}
    assert statuses == {"loaded", "rejected", "ignored", "superseded", "conflict"}


def test_rejections_say_why(tiny_raw):
    con, out, _ = tiny_raw
    messages = dict(con.execute("select file_path, message from raw.files where status = 'rejected'").fetchall())
    words = {"corrupt": "corrupt", "encrypted": "encrypted", "no known": "no known form", "not in the registry": "not in the registry",
             "no period": "no period"}
    for path, r in _files(out).items():
        if r["expected_status"] == "rejected":
            key = next(k for k in words if k in r["note"])
            assert words[key] in messages[path], (path, messages[path])


def test_raw_village_cells_reproduce_the_village_values_exactly(tiny_raw):
    con, out, truth = tiny_raw
    status = {p: r["expected_status"] for p, r in _files(out).items()}
    got = {}
    for path, period, area, ind, value in con.execute(
        "select file_path, period, area_code, indicator_code, value from raw.cells where row_kind = 'village' and area_code is not null"
    ).fetchall():
        if status[path] != "loaded" or ind in RATIOS or value is None:
            continue
        assert (period, area, ind) not in got, "a village value read twice from active submissions"
        got[(period, area, ind)] = value
    with open(out / "truth" / "village_values.csv", encoding="utf-8", newline="") as fh:
        want = {(r["period"], r["area_code"], r["indicator_code"]): float(r["value"]) for r in csv.DictReader(fh)}
    assert len(want) == truth.n_village_values > 2000
    assert set(got) == set(want)
    diff = {k: (want[k], got[k]) for k in want if abs(want[k] - got[k]) > 1e-6 * max(1.0, abs(want[k]))}
    assert not diff
