"""The demo generator: registry shapes, determinism, every layout variation and every family
of mistakes present, and an independent statement of the rules finding exactly the mistakes
the answers list (and nothing in a clean inbox)."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from demo_oracle import injected, issues, match

from huizong.demo.areas import build_registry
from huizong.demo.generator import MISTAKES, generate
from huizong.demo.layout import VARIATIONS
from huizong.ingest.pipeline import ingest

FAMILIES = {"balance", "ratio", "standard", "bounds", "cross_form", "hierarchy", "cross_period", "completeness", "plausibility"}


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("scale,villages,townships,counties,cities", [
    ("tiny", (15, 40), (3, 3), (1, 1), (1, 1)),
    ("city", (70, 100), (12, 12), (3, 3), (1, 1)),
    ("province", (15000, 20000), (900, 1100), (90, 110), (10, 10)),
])
def test_registry_shape_at_each_scale(scale, villages, townships, counties, cities):
    reg = build_registry(scale, 7, (2017, 2018))
    for year in (2017, 2018):
        n = Counter(a.level for a in reg.rows if a.valid_in(year))
        assert villages[0] <= n["village"] <= villages[1]
        assert townships[0] <= n["township"] <= townships[1]
        assert counties[0] <= n["county"] <= counties[1] and cities[0] == n["city"] == cities[1] and n["province"] == 1
    kinds = Counter(m.kind for m in reg.mergers)
    assert kinds["new_code"] >= 1 and kinds["keep_code"] >= 1
    for m in reg.mergers:
        succ = reg.by_code[m.successor]
        assert succ[-1].valid_from == 2018 and all(reg.area(p, 2017).valid_to == 2017 for p in m.predecessors)
        if m.kind == "keep_code":
            assert len(succ) == 2 and succ[0].successor_code == m.successor  # the earlier span names itself
    assert any(a.aliases for a in reg.rows)
    if scale != "tiny":
        dup = [a for a in reg.rows if a.level == "township" and a.name == reg.duplicate_township_name]
        assert len({a.parent_code for a in dup}) == 2
    by_code = {a.code: a for a in reg.rows}
    for a in reg.rows:
        assert len(a.code) == 12 and a.code.isdigit()
        if a.parent_code:
            parent = by_code[a.parent_code]
            digits = {"city": 2, "county": 4, "township": 6, "village": 9}[a.level]
            assert a.code[:digits] == parent.code[:digits]


def test_the_same_seed_gives_the_same_bytes(tmp_path):
    a = generate(tmp_path / "a", scale="tiny", seed=3)
    b = generate(tmp_path / "b", scale="tiny", seed=3, workers=2)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert a.n_village_values == b.n_village_values and a.injected == b.injected
    c = generate(tmp_path / "c", scale="tiny", seed=4)
    assert _tree(tmp_path / "c") != _tree(tmp_path / "a") and c.files


def test_tiny_covers_every_variation_and_every_family(tmp_path):
    truth = generate(tmp_path, scale="tiny", seed=7)
    assert truth.missing_variations == []
    assert {m.family for m in truth.injected} == FAMILIES
    assert {k for k, *_ in MISTAKES} <= {m.kind for m in truth.injected}
    with open(tmp_path / "truth" / "variations.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["variation"] for r in rows} == set(VARIATIONS) and all(int(r["n_files"]) > 0 for r in rows)


def test_answer_and_reference_files_have_the_samples_columns(tmp_path, samples_dir):
    generate(tmp_path, scale="tiny", seed=7)
    for rel in ("sources/reference/areas.csv", "sources/reference/subsidy_rates.csv", "truth/files.csv", "truth/injected.csv",
                "truth/village_values.csv"):
        ours = tmp_path / rel.removeprefix("sources/")
        with open(samples_dir / rel, encoding="utf-8-sig") as a, open(ours, encoding="utf-8") as b:
            assert a.readline().strip() == b.readline().strip(), rel
    listed = {r["file_path"] for r in csv.DictReader(open(tmp_path / "truth" / "files.csv", encoding="utf-8"))}
    on_disk = {p.relative_to(tmp_path).as_posix() for p in (tmp_path / "inbox").rglob("*") if p.is_file()}
    assert listed == on_disk


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    truth = generate(out, scale="city", seed=7)
    con = duckdb.connect(str(out / "wh.duckdb"))
    ingest(out, con)
    yield out, truth, con
    con.close()


def test_city_covers_every_variation(city):
    out, truth, _ = city
    assert truth.missing_variations == []
    assert truth.areas["township"] == 12 and 70 <= truth.areas["village"] <= 100
    st = truth.status_counts()
    assert st["superseded"] == 1 and st["conflict"] == 2 and st["rejected"] >= 6 and st["ignored"] >= 3
    fpt = [f for f in truth.files if "扶贫T表" in f.note]
    assert len(fpt) == 2


def test_the_rules_find_exactly_the_injected_mistakes(city):
    out, truth, con = city
    found = issues(con, out)
    unmatched, extra = match(found, injected(out / "truth"))
    assert unmatched == [] and extra == []
    assert len(truth.injected) >= len(MISTAKES)


def test_a_clean_inbox_has_no_issue_and_still_every_variation(tmp_path):
    truth = generate(tmp_path, scale="city", seed=5, mistakes=False)
    assert truth.injected == []
    assert truth.missing_variations == ["conflict"]  # two conflicting submissions are an error: a mistake
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ingest(tmp_path, con)
    assert issues(con, tmp_path) == []
    assert {s for s, in con.execute("select distinct status from raw.files").fetchall()} == {"loaded", "rejected", "ignored"}
