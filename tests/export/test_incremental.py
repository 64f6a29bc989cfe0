"""Incremental and parallel export: a table nothing changed in keeps its files (same inode and
mtime), a changed figure or a deleted or edited file is written again, the pool writes the
same files as one process, and the gate's plan is reused by the export."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import duckdb
import pytest
from export_fixtures import CITY, COUNTY_A, COUNTY_B, PROVINCE, build_warehouse
from export_readback import read_csv

from huizong.export import export_all, release
from huizong.export import publish
from huizong.export.publish import plan_tables

FP3_B = ("2018", "FP3", COUNTY_B)  # rows: 上庆县's townships


def stamps(root: Path) -> dict[Path, tuple[int, int]]:
    """(inode, mtime) of every exported file: a file written again gets a new inode (it is
    replaced atomically) and a new mtime."""
    return {p.relative_to(root): (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(root.glob("*/*.*"))}


def rel(key: tuple[str, str, str], suffix: str = ".xlsx") -> Path:
    period, form, area = key
    return Path(period) / f"{form}_{area}{suffix}"


def keys(outcomes) -> set[tuple[str, str, str]]:
    return {(o.period, o.form_code, o.area_code) for o in outcomes}


def log_rows(con) -> list[tuple]:
    return con.execute(
        "select period, form_code, area_code, status, path, fingerprint, xlsx_sha256, renderer, exported_at"
        " from marts.export_log order by 1, 2, 3"
    ).fetchall()


_MODIFIED = re.compile(rb"<dcterms:modified[^<]*</dcterms:modified>")


def xlsx_parts(path: Path) -> dict[str, bytes]:
    """Every part of the workbook; openpyxl stamps the save time in core.xml, which is left out."""
    with zipfile.ZipFile(path) as z:
        return {n: _MODIFIED.sub(b"", z.read(n)) for n in z.namelist()}


def test_a_second_export_with_nothing_changed_rewrites_nothing(con, tmp_path):
    first = export_all(con, tmp_path)
    before, log_before = stamps(tmp_path), log_rows(con)
    assert len(first.rewritten) == len(first.written) and not first.unchanged

    again = export_all(con, tmp_path)
    assert stamps(tmp_path) == before  # not one file touched
    assert not again.rewritten and keys(again.unchanged) == keys(first.written)
    assert again.counts() == first.counts() and keys(again.withheld) == keys(first.withheld)
    assert again.removed == []
    # the log still has one row per table, with the same decisions, hashes and paths
    log_after = log_rows(con)
    assert [r[:8] for r in log_after] == [r[:8] for r in log_before]
    assert all(r[8] > b[8] for r, b in zip(log_after, log_before))  # exported_at: this run
    assert all(r[6] and r[7] for r in log_after if r[3] != "withheld")
    assert "unchanged for" in str(again) and again["files_unchanged"] == len(first.written)


def test_a_changed_figure_rewrites_exactly_the_tables_showing_it(con, tmp_path):
    export_all(con, tmp_path)
    before = stamps(tmp_path)
    # a township's figure: shown in its county's table only (the city's rows are counties)
    con.execute(
        "update marts.fct_area_indicator set value = 4242 where period = '2018' and area_code = '610522100000'"
        " and indicator_code = 'C02'"
    )
    summary = export_all(con, tmp_path)
    assert keys(summary.rewritten) == {FP3_B}
    after = stamps(tmp_path)
    changed = {p for p in after if after[p] != before.get(p)}
    assert changed == {rel(FP3_B), rel(FP3_B, ".csv")}
    row = next(r for r in read_csv(tmp_path / rel(FP3_B, ".csv")).body() if r[0] == "610522100000")
    assert "4242.00" in row
    # and a third run leaves it alone again
    assert not export_all(con, tmp_path).rewritten


@pytest.mark.parametrize("damage", ["delete xlsx", "delete csv", "edit xlsx", "edit csv"])
def test_a_deleted_or_edited_file_is_written_again(con, tmp_path, damage):
    key = ("2018H1", "FP1", COUNTY_A)
    export_all(con, tmp_path)
    xlsx, csv = tmp_path / rel(key), tmp_path / rel(key, ".csv")
    good_xlsx, good_csv = xlsx_parts(xlsx), csv.read_bytes()
    before = stamps(tmp_path)
    target = xlsx if "xlsx" in damage else csv
    if damage.startswith("delete"):
        target.unlink()
    else:  # edited in place, size and mtime put back: only the content tells
        st = target.stat()
        data = bytearray(target.read_bytes())
        data[-30] ^= 0x01
        target.write_bytes(bytes(data))
        import os

        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))

    summary = export_all(con, tmp_path)
    assert keys(summary.rewritten) == {key}
    assert xlsx_parts(xlsx) == good_xlsx and csv.read_bytes() == good_csv
    after = stamps(tmp_path)
    assert {p for p in after if after[p] != before.get(p)} == {rel(key), rel(key, ".csv")}


def test_another_folder_or_other_layout_code_writes_the_files(con, tmp_path, monkeypatch):
    export_all(con, tmp_path / "a")
    assert len(export_all(con, tmp_path / "b").rewritten) > 0  # the log names the files in a/
    monkeypatch.setattr(publish, "renderer_version", lambda: "a-new-layout")
    again = export_all(con, tmp_path / "b")
    assert not again.unchanged and len(again.rewritten) == len(again.written)


def test_a_log_from_before_file_hashes_rewrites_once(con, tmp_path):
    export_all(con, tmp_path)
    con.execute("alter table marts.export_log drop column xlsx_sha256")
    con.execute("alter table marts.export_log drop column renderer")
    summary = export_all(con, tmp_path)  # the columns come back; every table written once
    assert not summary.unchanged
    assert not export_all(con, tmp_path).rewritten


def test_a_released_table_is_kept_without_rewriting_until_it_changes(con, tmp_path):
    key = ("2018", "FP1", COUNTY_A)  # withheld by export_fixtures.BAD_VILLAGE's error
    export_all(con, tmp_path)
    release(con, tmp_path, *key, reason="核实无误", released_by="王主任")
    before = stamps(tmp_path)
    summary = export_all(con, tmp_path)
    assert key in keys(summary.released) and key in keys(summary.unchanged)
    assert stamps(tmp_path) == before
    # the figures change: the release lapses, its files go
    con.execute("update marts.fct_area_indicator set value = value + 1 where period = '2018' and area_code = ?"
                " and indicator_code = 'A03'", [COUNTY_A])
    summary = export_all(con, tmp_path)
    assert key in keys(summary.withheld) and not (tmp_path / rel(key)).exists()


# -- the process pool ---------------------------------------------------------------------------

def test_the_pool_writes_the_same_files_as_one_process(tmp_path, monkeypatch):
    pools = []

    class Recording(publish.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pools.append(self._max_workers)

    monkeypatch.setattr(publish, "ProcessPoolExecutor", Recording)
    results = {}
    for workers in (1, 2):
        c = duckdb.connect()
        build_warehouse(c)
        root = tmp_path / f"w{workers}"
        summary = export_all(c, root, workers=workers)
        results[workers] = (root, summary, [r[:4] + r[5:6] for r in log_rows(c)])  # statuses, fingerprints
        c.close()
    assert pools == [2]  # the serial run made no pool
    (serial, s1, log1), (pooled, s2, log2) = results[1], results[2]
    assert [(o.period, o.form_code, o.area_code, o.status, o.reason) for o in s1.outcomes] == [
        (o.period, o.form_code, o.area_code, o.status, o.reason) for o in s2.outcomes]
    assert log1 == log2
    files = sorted(p.relative_to(serial) for p in serial.glob("*/*.*"))
    assert files == sorted(p.relative_to(pooled) for p in pooled.glob("*/*.*")) and files
    for f in files:
        if f.suffix == ".csv":
            assert (serial / f).read_bytes() == (pooled / f).read_bytes(), f
        else:
            assert xlsx_parts(serial / f) == xlsx_parts(pooled / f), f


def test_many_files_go_to_the_pool_few_stay_in_process(monkeypatch):
    monkeypatch.delenv("HUIZONG_EXPORT_WORKERS", raising=False)
    monkeypatch.setattr(publish.os, "cpu_count", lambda: 2)
    assert publish._pool_size(publish.PARALLEL_MIN, None) == 1
    assert publish._pool_size(publish.PARALLEL_MIN + 1, None) == publish.EXPORT_WORKERS == 2
    assert publish._pool_size(2402, 1) == 1 and publish._pool_size(1, 2) == 1
    monkeypatch.setattr(publish.os, "cpu_count", lambda: 1)
    assert publish._pool_size(2402, None) == 1  # no pool on a single core
    monkeypatch.setenv("HUIZONG_EXPORT_WORKERS", "1")
    monkeypatch.setattr(publish.os, "cpu_count", lambda: 8)
    assert publish._pool_size(2402, None) == 1


# -- the gate's plan, reused ---------------------------------------------------------------------

@pytest.fixture()
def snapshot_loads(monkeypatch):
    calls = []
    real = publish.load_snapshot

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(publish, "load_snapshot", counting)
    monkeypatch.setattr(publish, "_remembered", None)
    return calls


def test_the_export_reuses_the_gates_plan(con, tmp_path, snapshot_loads):
    plan = plan_tables(con)
    assert len(snapshot_loads) == 1
    summary = export_all(con, tmp_path)
    assert len(snapshot_loads) == 1  # not read again
    assert [t.key for t, _ in plan] == [(o.period, o.form_code, o.area_code) for o in summary.outcomes]
    assert keys(summary.withheld) == {t.key for t, blocking in plan if blocking}
    export_all(con, tmp_path)  # the plan is used once
    assert len(snapshot_loads) == 2
    export_all(con, tmp_path, planned=plan_tables(con))  # or handed over
    assert len(snapshot_loads) == 3


def test_a_plan_made_before_the_data_changed_is_not_reused(con, tmp_path, snapshot_loads):
    plan_tables(con)
    con.execute(
        "update marts.fct_area_indicator set value = 4242 where period = '2018' and area_code = '610522100000'"
        " and indicator_code = 'C02'"
    )
    export_all(con, tmp_path)
    assert len(snapshot_loads) == 2
    row = next(r for r in read_csv(tmp_path / rel(FP3_B, ".csv")).body() if r[0] == "610522100000")
    assert "4242.00" in row


def test_the_plan_is_shared_across_connections_to_the_same_data(tmp_path, snapshot_loads):
    path = tmp_path / "w.duckdb"
    c = duckdb.connect()
    build_warehouse(c)  # in memory (quick), then copied to a file
    c.execute(f"attach '{path}' as w")
    c.execute("copy from database memory to w")
    c.execute("detach w")
    c.close()
    c = duckdb.connect(str(path))
    plan_tables(c)
    c.close()
    c = duckdb.connect(str(path))
    summary = export_all(c, tmp_path / "EXPORTS")
    c.close()
    assert len(snapshot_loads) == 1 and summary.counts()["written"] > 0
    assert keys(summary.withheld) == {("2018", "FP1", a) for a in (COUNTY_A, CITY, PROVINCE)}


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_is_reported_after_each_table(con, tmp_path, workers):
    seen = []
    summary = export_all(con, tmp_path, workers=workers, progress=lambda i, n, what: seen.append((i, n, what)))
    n = len(summary.outcomes)
    assert [i for i, _, _ in seen] == list(range(1, n + 1)) and {m for _, m, _ in seen} == {n}
    assert [what for _, _, what in seen] == [f"{o.status}: {o.period}/{o.form_code}/{o.area_code}" for o in summary.outcomes]
