"""Atomic publish: a killed job never damages the published warehouse, and a reader's
read-only connection during a run sees the previous complete state without blocking it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from huizong.warehouse import Warehouse

pytestmark = pytest.mark.xdist_group("e2e")


def test_publish_replaces_in_one_step_and_reader_keeps_old_state(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    with wh.connect_building() as con:
        con.execute("create schema marts; create table marts.t as select 1 as v").fetchall()
    wh.publish()
    reader = duckdb.connect(str(wh.path), read_only=True)
    assert reader.execute("select v from marts.t").fetchone() == (1,)
    wh.begin()
    with wh.connect_building() as con:
        con.execute("update marts.t set v = 2").fetchall()
    wh.publish()  # the reader's open connection does not block the rename
    assert reader.execute("select v from marts.t").fetchone() == (1,)  # previous complete state
    reader.close()
    fresh = duckdb.connect(str(wh.path), read_only=True)
    assert fresh.execute("select v from marts.t").fetchone() == (2,)
    fresh.close()


def test_crashed_build_is_discarded(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    with wh.connect_building() as con:
        con.execute("create table t as select 1 as v").fetchall()
    wh.publish()
    wh.begin()
    with wh.connect_building() as con:
        con.execute("create table half_done as select 1 as v").fetchall()
    # the process dies here: no publish. The next run starts again from the published state.
    wh.begin()
    with wh.connect_building() as con:
        assert con.execute("select count(*) from information_schema.tables where table_name = 'half_done'").fetchone() == (0,)


@pytest.mark.slow
def test_sigkill_mid_run_leaves_published_warehouse_intact(tmp_path, samples_dir):
    sources = tmp_path / "sources"
    shutil.copytree(samples_dir / "sources", sources)
    warehouse, exports = tmp_path / "w.duckdb", tmp_path / "exports"
    cmd = [sys.executable, "-m", "huizong.cli", "run", "--sources", str(sources), "--warehouse", str(warehouse), "--exports", str(exports)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr

    def published_counts():
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return (
                con.execute("select count(*) from marts.fct_area_indicator").fetchone()[0],
                con.execute("select count(*) from raw.cells").fetchone()[0],
            )
        finally:
            con.close()

    before = published_counts()
    # Change a file's bytes (not its figures: a trailing blank line) so the next run has
    # real work, then kill it at several moments.
    victim = next(p for p in sorted((sources / "inbox").rglob("*.csv")))
    victim.write_bytes(victim.read_bytes() + b"\r\n")
    for delay in (0.5, 2.0, 5.0):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert published_counts() == before  # intact and readable
    final = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert final.returncode == 0, final.stdout + final.stderr
    assert published_counts()[0] == before[0]


def test_release_made_during_a_build_is_carried_over(tmp_path):
    """`huizong release` writes the published warehouse; a build that copied it earlier must
    not drop that release when it publishes."""
    from huizong.defs.publish_assets import carry_over_releases
    from huizong.export.log import ensure_log

    wh = Warehouse(tmp_path / "w.duckdb")
    with wh.connect_building() as con:
        ensure_log(con)
        con.execute("insert into marts.export_log (period, form_code, area_code, status, reason) values ('2018', 'FP1', '610521000000', 'withheld', 'x')").fetchall()
    wh.publish()
    wh.begin()  # the nightly run starts building
    pub = duckdb.connect(str(wh.path))
    pub.execute(
        "update marts.export_log set status = 'released', reason = '核实无误', released_by = '张科长', released_at = now()"
    ).fetchall()
    pub.close()
    with wh.connect_building() as con:
        carry_over_releases(con, wh.path)
        rows = con.execute("select status, reason, released_by from marts.export_log").fetchall()
    assert rows == [("released", "核实无误", "张科长")]
