"""The publication gate as a warehouse table, and the blocking check that guards it.

``marts.publication_gate`` records, for every official table (period, form, publishing
area), the decision of the export gate (``huizong.export.gate``: which error findings of
``marts.dq_issues`` touch the table): ``approved`` or ``withheld`` with the rule ids.

``approved_tables_with_errors`` is the blocking Dagster check before any table is written.
It is deliberately a second, simpler formulation in SQL (a finding at the table's area or
below, same period - FP4 annual: either half - and the table's form, by ``form_code`` or by
one of the form's indicators): a sufficient condition for "touches", so it can only ever
catch a gate that approves too much, never disagree with a correct one.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from huizong.export.gate import withheld_reason
from huizong.export.publish import plan_tables

VERIFY_SQL = """
with form_indicators as (
    select form_code, list(indicator_code) as codes from catalog.catalog_indicators group by 1
)
select count(*) from marts.publication_gate g
join form_indicators fi on fi.form_code = g.form_code
where g.decision = 'approved' and exists (
    select 1 from marts.dq_issues d
    join marts.dim_area a on a.area_code = d.area_code
    where d.severity = 'error'
      and (coalesce(d.form_code, '') = g.form_code
           or len(list_intersect(coalesce(d.indicator_codes, []), fi.codes)) > 0)
      and g.form_code <> 'FPT'
      and (d.period = g.period or (g.form_code = 'FP4' and length(g.period) = 4 and left(d.period, 4) = g.period))
      and g.area_code in (a.area_code, a.township_code, a.county_code, a.city_code, a.province_code)
)
"""


def build_gate(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = [
        (t.period, t.form_code, t.area_code, t.area_level,
         "withheld" if blocking else "approved", len(blocking), withheld_reason(list(blocking)) if blocking else None)
        for t, blocking in plan_tables(con)
    ]
    frame = pd.DataFrame(rows, columns=["period", "form_code", "area_code", "area_level", "decision", "n_errors", "reason"])
    cur = con.cursor()
    try:
        cur.register("_gate", frame)
        cur.execute("create or replace table marts.publication_gate as select * from _gate order by 1, 2, 3").fetchall()
        cur.unregister("_gate")
        return dict(cur.execute("select decision, count(*) from marts.publication_gate group by 1").fetchall())
    finally:
        cur.close()


def approved_tables_with_errors(con: duckdb.DuckDBPyConnection) -> int:
    """Approved tables that nevertheless hold an error finding (must be 0)."""
    return con.execute(VERIFY_SQL).fetchone()[0]
