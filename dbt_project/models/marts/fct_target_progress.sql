-- Progress against the annual targets of 扶贫T表, for counties and their cities.
-- Targets: the county rows of the city's active target submission (indicators with a
-- catalog `target_of`); a city's target is the sum of its counties' (by that year's
-- registry), never its 合计 row. Actual: the target_of indicator's bottom-up value for the
-- county / city, for each period kind its form is reported for (YYYY and YYYYH1: the H1
-- actual against the annual target). Progress = actual / target (NULL when the target is 0).
with target_indicators as (
    select
        t.indicator_code as target_code,
        t.target_of,
        tf.periods as target_form_periods,
        f.periods as actual_form_periods
    from {{ ref('catalog_indicators') }} as t
    inner join {{ ref('catalog_forms') }} as tf on tf.form_code = t.form_code
    inner join {{ ref('catalog_indicators') }} as a on a.indicator_code = t.target_of
    inner join {{ ref('catalog_forms') }} as f on f.form_code = a.form_code
),

counties as (
    select year, area_code, city_code
    from {{ ref('int_area_years') }}
    where area_level = 'county'
),

county_cells as (
    select
        c.year,
        c.area_code,
        c.indicator_code as target_code,
        c.value,
        row_number() over (
            partition by c.year, c.area_code, c.indicator_code
            order by c.report_date desc nulls last, c.submission_id, c.row_number
        ) as pick
    from {{ ref('int_reported_cells') }} as c
    inner join target_indicators as t on t.target_code = c.indicator_code
    inner join counties as k on k.year = c.year and k.area_code = c.area_code
    where c.row_kind = 'county' and c.row_reported
        and {{ form_has_kind('t.target_form_periods', 'c.period_kind') }}
),

county_targets as (
    select year, area_code, 'county' as area_level, target_code, value as target
    from county_cells
    where pick = 1
),

city_targets as (
    select ct.year, k.city_code as area_code, 'city' as area_level, ct.target_code, sum(ct.target) as target
    from county_targets as ct
    inner join counties as k on k.year = ct.year and k.area_code = ct.area_code
    where k.city_code is not null
    group by ct.year, k.city_code, ct.target_code
),

targets as (
    select * from county_targets
    union all
    select * from city_targets
),

periods as (
    select t.target_code, t.target_of, p.period_kind
    from target_indicators as t
    inner join (select distinct period_kind from {{ ref('catalog_periods') }}) as p
        on {{ form_has_kind('t.actual_form_periods', 'p.period_kind') }}
),

progress as (
    select
        {{ period_id('t.year', 'p.period_kind') }} as period,
        t.year,
        p.period_kind,
        t.area_code,
        t.area_level,
        t.target_code,
        p.target_of as actual_indicator_code,
        t.target
    from targets as t
    inner join periods as p on p.target_code = t.target_code
)

select
    g.period,
    g.area_code,
    g.area_level,
    g.target_code,
    g.target,
    v.value as actual,
    case when g.target <> 0 then v.value / g.target end as progress,
    g.actual_indicator_code,
    g.year,
    g.period_kind
from progress as g
left join {{ ref('int_area_values') }} as v
    on v.period = g.period and v.area_code = g.area_code and v.indicator_code = g.actual_indicator_code
