-- Village-level facts, one row per period, village and indicator, from village rows only
-- (never from a township's 合计 row) of active submissions, for villages valid in the
-- period's year:
--   * stocks, flows, flags (1/0) and weighted-mean inputs as reported;
--   * a form reported only by half-years (catalog_forms.periods without YYYY, i.e. FP4) gets
--     its annual period YYYY derived: flows H1 + H2, other kinds the H2 value, and only where
--     both halves are in for that village;
--   * ratios recomputed from the village's own numerator and denominator (catalog
--     numerator/denominator/scale), NULL when the denominator is 0; the reported ratio is kept
--     in `reported_value`.
-- Indicator kinds, components and periods all come from the catalog seeds.
--
-- Performance (millions of cells, within a bounded DuckDB memory): the catalog is resolved
-- per indicator, never per cell (the form's period kinds matched once per indicator and
-- kind, then an equality join; the FP4 rule as a flag); the cells are a filtered scan of
-- int_reported_cells, not a materialized copy, and only the small results (duplicate keys,
-- FP4 annuals, ratio components) are materialized; the duplicate-village ranking only runs
-- over the keys reported more than once; a ratio's numerator and denominator are joined to
-- their ratio first (`ratio_parts`), so the facts are never joined with themselves on period
-- and area alone; the provenance columns go straight from the scan to the output.
with indicators as (
    select
        i.indicator_code,
        i.form_code,
        i.kind,
        i.numerator,
        i.denominator,
        {{ catalog_scale("i.scale") }} as scale,
        f.periods as form_periods,
        not {{ form_has_kind('f.periods', "'YYYY'") }}
            and {{ form_has_kind('f.periods', "'YYYYH1'") }}
            and {{ form_has_kind('f.periods', "'YYYYH2'") }} as annual_from_halves
    from {{ ref('catalog_indicators') }} as i
    inner join {{ ref('catalog_forms') }} as f on f.form_code = i.form_code
),

-- the period kinds each village indicator is reported for: its form's kinds (catalog_forms
-- .periods), matched once per indicator and period kind present, not once per cell
indicator_kinds as (
    select
        i.indicator_code,
        i.form_code,
        i.kind,
        coalesce(i.annual_from_halves, false) as annual_from_halves,
        k.period_kind
    from indicators as i
    inner join (select distinct period_kind from {{ ref('int_reported_cells') }}) as k
        on {{ form_has_kind('i.form_periods', 'k.period_kind') }}
    where i.kind in ('stock', 'flow', 'flag', 'wmean', 'ratio')
),

villages as (
    select year, area_code from {{ ref('int_area_years') }} where area_level = 'village'
),

cells as not materialized (
    select
        c.period,
        c.year,
        c.period_kind,
        c.area_code,
        c.indicator_code,
        i.form_code,
        i.kind,
        i.annual_from_halves,
        c.value,
        c.submission_id,
        c.file_path,
        c.sheet_name,
        c.cell,
        c.report_date,
        c.row_number
    from {{ ref('int_reported_cells') }} as c
    inner join villages as v on v.year = c.year and v.area_code = c.area_code
    inner join indicator_kinds as i
        on i.indicator_code = c.indicator_code and i.period_kind = c.period_kind
    where c.row_kind = 'village'
        and c.row_reported
),

-- one village reported twice for the same form and period (by two townships): the later
-- 报出日期 wins, then a fixed order. Only the keys reported more than once are ranked.
duplicated as materialized (
    select period, area_code, indicator_code
    from cells
    group by period, area_code, indicator_code
    having count(*) > 1
),

picked as not materialized (
    select c.* exclude (report_date, row_number)
    from cells as c
    anti join duplicated as d
        on d.period = c.period and d.area_code = c.area_code and d.indicator_code = c.indicator_code
    union all
    select * exclude (report_date, row_number, pick)
    from (
        select
            c.*,
            row_number() over (
                partition by c.period, c.area_code, c.indicator_code
                order by c.report_date desc nulls last, c.submission_id, c.row_number
            ) as pick
        from cells as c
        semi join duplicated as d
            on d.period = c.period and d.area_code = c.area_code and d.indicator_code = c.indicator_code
    )
    where pick = 1
),

reported as not materialized (
    select
        period, year, period_kind, area_code, indicator_code, form_code, kind,
        value,
        value as reported_value,
        'reported' as derivation,
        submission_id, file_path, sheet_name, cell
    from picked
    where kind <> 'ratio'
),

annual as materialized (
    select
        {{ period_id('year', "'YYYY'") }} as period,
        year,
        'YYYY' as period_kind,
        area_code,
        indicator_code,
        form_code,
        kind,
        case
            when count(value) < 2 then null
            when kind = 'flow' then sum(value)
            else max(case when period_kind = 'YYYYH2' then value end)
        end as value
    from picked
    where annual_from_halves
        and kind <> 'ratio'
        and period_kind in ('YYYYH1', 'YYYYH2')
    group by year, area_code, indicator_code, form_code, kind
    having count(distinct period_kind) = 2
),

-- each ratio's numerator (part n) and denominator (part d), keyed by the ratio: the
-- (ratio, part, component) list of the catalog joined to the reported and the derived facts
-- (two joins rather than one over their union, so the small list filters the cells early)
ratio_components as (
    select indicator_code, 'n' as part, numerator as component_code from indicators where kind = 'ratio'
    union all
    select indicator_code, 'd' as part, denominator as component_code from indicators where kind = 'ratio'
),

ratio_parts as materialized (
    select r.indicator_code, r.part, f.period, f.year, f.period_kind, f.area_code, f.value
    from ratio_components as r
    inner join reported as f on f.indicator_code = r.component_code
    union all
    select r.indicator_code, r.part, f.period, f.year, f.period_kind, f.area_code, f.value
    from ratio_components as r
    inner join annual as f on f.indicator_code = r.component_code
),

ratios as (
    select
        n.period,
        n.year,
        n.period_kind,
        n.area_code,
        i.indicator_code,
        i.form_code,
        i.kind,
        case when d.value <> 0 then i.scale * n.value / d.value end as value,
        rr.value as reported_value,
        'recomputed' as derivation,
        rr.submission_id,
        rr.file_path,
        rr.sheet_name,
        rr.cell
    from indicators as i
    inner join ratio_parts as n on n.indicator_code = i.indicator_code and n.part = 'n'
    inner join ratio_parts as d
        on d.indicator_code = i.indicator_code and d.part = 'd'
        and d.period = n.period and d.area_code = n.area_code
    left join picked as rr
        on rr.kind = 'ratio' and rr.indicator_code = i.indicator_code
        and rr.period = n.period and rr.area_code = n.area_code
    where i.kind = 'ratio'
)

select * from reported
union all
select
    period, year, period_kind, area_code, indicator_code, form_code, kind,
    value,
    cast(null as double) as reported_value,
    'H1+H2' as derivation,
    cast(null as varchar) as submission_id,
    cast(null as varchar) as file_path,
    cast(null as varchar) as sheet_name,
    cast(null as varchar) as cell
from annual
union all
select * from ratios
