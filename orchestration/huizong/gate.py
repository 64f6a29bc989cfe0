"""The publication gate: which official tables may be written.

A table is (period, form, publishing area). It is withheld when any error-severity finding
of ``marts.dq_issues`` for that form and period sits at the area itself or anywhere below it.
The gate asks ``dq_issues``; it never re-derives a finding.
"""

from __future__ import annotations

import duckdb

GATE_SQL = """
create or replace table marts.publication_gate as
with publishing as (
    -- every table the marts can fill: a county lists its townships, a city its counties,
    -- a province its cities; FPT progress tables for counties and cities
    select distinct f.period, i.form_code, f.area_code, f.area_level
    from marts.fct_area_indicator f
    join marts.dim_indicator i using (indicator_code)
    where f.area_level in ('county', 'city', 'province') and i.form_code <> 'FPT'
    union
    select distinct period, 'FPT', area_code, area_level
    from marts.fct_target_progress where area_level in ('county', 'city')
),
area_ancestors as (
    -- each area with itself and every area above it (any validity span)
    select distinct a.area_code, x.code as ancestor_code
    from marts.dim_area a,
         lateral (select unnest([a.area_code, a.township_code, a.county_code, a.city_code, a.province_code]) as code) x
    where x.code is not null
),
errors as (
    select d.period, coalesce(d.form_code, '') as form_code, anc.ancestor_code as area_code, d.rule_id
    from marts.dq_issues d
    join area_ancestors anc on anc.area_code = d.area_code
    where d.severity = 'error'
),
reasons as (
    select p.period, p.form_code, p.area_code,
           count(e.rule_id) as n_errors,
           string_agg(distinct e.rule_id, ',' order by e.rule_id) as rule_ids
    from publishing p
    left join errors e
      on e.area_code = p.area_code
     and e.form_code = p.form_code
     -- FP4 annual tables are built from both halves; FP1-3 annual and H1 stand alone
     and (e.period = p.period or (p.form_code = 'FP4' and length(p.period) = 4 and left(e.period, 4) = p.period))
    group by all
)
select p.period, p.form_code, p.area_code, p.area_level,
       case when r.n_errors > 0 then 'withheld' else 'approved' end as decision,
       coalesce(r.n_errors, 0) as n_errors,
       case when r.n_errors > 0 then
            (select string_agg(rule_id || ' x' || n, ', ' order by rule_id)
             from (select e.rule_id, count(*) n from errors e
                   where e.area_code = p.area_code and e.form_code = p.form_code
                     and (e.period = p.period or (p.form_code = 'FP4' and length(p.period) = 4 and left(e.period, 4) = p.period))
                   group by 1))
       end as reason
from publishing p
left join reasons r using (period, form_code, area_code)
order by 1, 2, 3
"""

VERIFY_SQL = """
select count(*) from marts.publication_gate g
where g.decision = 'approved' and exists (
    select 1 from marts.dq_issues d
    join marts.dim_area a on a.area_code = d.area_code
    where d.severity = 'error' and coalesce(d.form_code, '') = g.form_code
      and (d.period = g.period or (g.form_code = 'FP4' and length(g.period) = 4 and left(d.period, 4) = g.period))
      and g.area_code in (a.area_code, a.township_code, a.county_code, a.city_code, a.province_code)
)
"""


def build_gate(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    con.execute(GATE_SQL).fetchall()
    return dict(con.execute("select decision, count(*) from marts.publication_gate group by 1").fetchall())


def approved_tables_with_errors(con: duckdb.DuckDBPyConnection) -> int:
    """Independent re-check of the gate: approved tables that contain an error (must be 0)."""
    return con.execute(VERIFY_SQL).fetchone()[0]
