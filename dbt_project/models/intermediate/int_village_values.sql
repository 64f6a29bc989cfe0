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
with indicators as (
    select
        i.indicator_code,
        i.form_code,
        i.kind,
        i.numerator,
        i.denominator,
        {{ catalog_scale("i.scale") }} as scale,
        f.periods as form_periods
    from {{ ref('catalog_indicators') }} as i
    inner join {{ ref('catalog_forms') }} as f on f.form_code = i.form_code
),

villages as (
    select year, area_code from {{ ref('int_area_years') }} where area_level = 'village'
),

cells as (
    select
        c.period,
        c.year,
        c.period_kind,
        c.area_code,
        c.indicator_code,
        i.form_code,
        i.kind,
        i.form_periods,
        c.value,
        c.submission_id,
        c.file_path,
        c.sheet_name,
        c.cell,
        -- one village reported twice for the same form and period (by two townships):
        -- the later 报出日期 wins, then a fixed order
        row_number() over (
            partition by c.period, c.area_code, c.indicator_code
            order by c.report_date desc nulls last, c.submission_id, c.row_number
        ) as pick
    from {{ ref('int_reported_cells') }} as c
    inner join villages as v on v.year = c.year and v.area_code = c.area_code
    inner join indicators as i on i.indicator_code = c.indicator_code
    where c.row_kind = 'village'
        and c.row_reported
        and i.kind in ('stock', 'flow', 'flag', 'wmean', 'ratio')
        and {{ form_has_kind('i.form_periods', 'c.period_kind') }}
),

reported as (
    select
        period, year, period_kind, area_code, indicator_code, form_code, kind,
        value,
        value as reported_value,
        'reported' as derivation,
        submission_id, file_path, sheet_name, cell
    from cells
    where pick = 1 and kind <> 'ratio'
),

halves as (
    select r.*
    from reported as r
    inner join indicators as i on i.indicator_code = r.indicator_code
    where not {{ form_has_kind('i.form_periods', "'YYYY'") }}
        and {{ form_has_kind('i.form_periods', "'YYYYH1'") }}
        and {{ form_has_kind('i.form_periods', "'YYYYH2'") }}
        and r.period_kind in ('YYYYH1', 'YYYYH2')
),

annual as (
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
        end as value,
        cast(null as double) as reported_value,
        'H1+H2' as derivation,
        cast(null as varchar) as submission_id,
        cast(null as varchar) as file_path,
        cast(null as varchar) as sheet_name,
        cast(null as varchar) as cell
    from halves
    group by year, area_code, indicator_code, form_code, kind
    having count(distinct period_kind) = 2
),

facts as (
    select * from reported
    union all
    select * from annual
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
    inner join facts as n on n.indicator_code = i.numerator
    inner join facts as d
        on d.indicator_code = i.denominator and d.period = n.period and d.area_code = n.area_code
    left join cells as rr
        on rr.pick = 1 and rr.indicator_code = i.indicator_code
        and rr.period = n.period and rr.area_code = n.area_code
    where i.kind = 'ratio'
)

select * from facts
union all
select * from ratios
