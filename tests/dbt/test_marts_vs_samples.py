"""The marts built from the sample inbox reach the sample's known answers.

The shared ``sample_warehouse`` fixture (tests/conftest.py) copies ``samples/sources`` to a
temp dir, ingests it with ``huizong.ingest.pipeline.ingest`` and runs ``dbt build`` of
dbt_project/ through ``dbtRunner`` against that warehouse, with a temp ``--target-path``.
Every comparison here runs in DuckDB over the truth CSVs read as text.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

TOLERANCE = 1e-9  # relative, stocks / flows / flags / weighted means
RATIO_TOLERANCE = 1e-6  # relative, ratios (kind 'ratio' in the catalog)
SHOW = 25  # mismatching rows shown in a failure message


@pytest.fixture(scope="module")
def con(sample_warehouse: Path, samples_dir: Path):
    # dbt-duckdb may still hold the file open in this process: a second connection must use
    # the same (default) configuration, so no read_only here; only temp views are created.
    c = duckdb.connect(str(sample_warehouse))
    truth = samples_dir / "truth"
    for name in ("village_values", "area_values", "targets", "files"):
        c.execute(
            f"create temp table truth_{name} as select * from read_csv(?, header = true, all_varchar = true)",
            [str(truth / f"{name}.csv")],
        ).fetchall()
    c.execute(
        """create temp view truth_values as
           select period, area_code, 'village' as area_level, indicator_code,
                  try_cast(nullif(trim(value), '') as double) as value
           from truth_village_values
           union all
           select period, area_code, area_level, indicator_code,
                  try_cast(nullif(trim(value), '') as double) as value
           from truth_area_values"""
    ).fetchall()
    try:
        yield c
    finally:
        c.close()


def _rows(c: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return c.execute(sql).fetchall()


def _fmt(rows: list[tuple]) -> str:
    return "\n".join(map(str, rows[:SHOW])) + (f"\n... ({len(rows)} in all)" if len(rows) > SHOW else "")


def _close(actual: str, expected: str, tol: str) -> str:
    """SQL: actual equals expected within a relative tolerance (both NULL counts as equal)."""
    return f"""(({actual} is null and {expected} is null)
               or ({actual} is not null and {expected} is not null
                   and abs({actual} - {expected}) <= {tol} * greatest(abs({expected}), 1e-12)))"""


def test_truth_values_are_in_fct_area_indicator(con):
    assert _rows(con, "select count(*) from truth_values")[0][0] > 0
    bad = _rows(
        con,
        f"""select t.period, t.area_code, t.area_level, t.indicator_code, t.value as expected,
                   f.value as actual, f.area_level as actual_level
            from truth_values t
            left join marts.dim_indicator i on i.indicator_code = t.indicator_code
            left join marts.fct_area_indicator f
                on f.period = t.period and f.area_code = t.area_code and f.indicator_code = t.indicator_code
            where f.area_code is null
               or f.area_level <> t.area_level
               or not {_close('f.value', 't.value', f"case when i.kind = 'ratio' then {RATIO_TOLERANCE} else {TOLERANCE} end")}
            order by 1, 2, 4""",
    )
    assert not bad, "truth rows missing or different in marts.fct_area_indicator " \
        "(period, area, level, indicator, expected, actual, actual level):\n" + _fmt(bad)


def test_no_period_area_beyond_the_truth(con):
    extra = _rows(
        con,
        """select f.period, f.area_code, f.area_level, count(*) as n_values
           from marts.fct_area_indicator f
           where not exists (select 1 from truth_values t where t.period = f.period and t.area_code = f.area_code)
           group by 1, 2, 3
           order by 1, 2""",
    )
    assert not extra, "(period, area) pairs in marts.fct_area_indicator that the truth does not have:\n" + _fmt(extra)


def test_truth_targets_are_in_fct_target_progress(con):
    assert _rows(con, "select count(*) from truth_targets")[0][0] > 0
    bad = _rows(
        con,
        f"""select t.period, t.area_code, t.target_code, t.target, t.actual, t.progress,
                   p.target, p.actual, p.progress
            from truth_targets t
            left join marts.fct_target_progress p
                on p.period = t.period and p.area_code = t.area_code and p.target_code = t.target_code
            where p.area_code is null
               or not {_close('p.target', 'cast(t.target as double)', TOLERANCE)}
               or not {_close("p.actual", "cast(nullif(t.actual, '') as double)", TOLERANCE)}
               or not {_close("p.progress", "cast(nullif(t.progress, '') as double)", RATIO_TOLERANCE)}
            order by 1, 2, 3""",
    )
    assert not bad, "truth targets missing or different in marts.fct_target_progress " \
        "(period, area, target, expected target/actual/progress, actual target/actual/progress):\n" + _fmt(bad)


def test_progress_only_for_counties_and_cities(con):
    levels = {r[0] for r in _rows(con, "select distinct area_level from marts.fct_target_progress")}
    assert levels == {"county", "city"}


def test_truth_file_statuses_are_in_ingest_files(con):
    assert _rows(con, "select count(*) from truth_files")[0][0] > 0
    bad = _rows(
        con,
        """select t.file_path, t.expected_status, f.status, f.message
           from truth_files t
           left join marts.ingest_files f on f.file_path = t.file_path
           where f.status is distinct from t.expected_status
           order by 1""",
    )
    assert not bad, "marts.ingest_files status differs from the truth (file, expected, actual, message):\n" + _fmt(bad)


def test_superseded_and_conflict_files_say_why(con):
    rows = _rows(
        con,
        "select file_path, status, message from marts.ingest_files where status in ('superseded', 'conflict')",
    )
    assert rows
    for path, status, message in rows:
        assert message and "报出日期" in message and "inbox/" in message, (path, status, message)
