-- Every level above the village (township, county, city, province), bottom-up from the
-- village facts of int_village_values, one row per period, area and indicator:
--   stock, flow: sum over the area's villages;
--   flag:        number of villages flagged 1 (是);
--   wmean:       sum(value * weight) / sum(weight), the weight indicator from the catalog
--                (A19 by A03), over villages that reported both;
--   ratio:       scale * sum(numerator) / sum(denominator) at the level, NULL when the
--                denominator is 0 — never a sum or mean of village ratios.
-- Membership comes from each year's registry (int_area_years), so merged villages count
-- under their successor from the year its span begins. Coverage: villages_reported (villages
-- with the fact) and villages_expected (villages valid in the area that year).
with indicators as (
    select
        indicator_code,
        form_code,
        kind,
        numerator,
        denominator,
        {{ catalog_scale("scale") }} as scale,
        weight
    from {{ ref('catalog_indicators') }}
),

members as (
    {%- for level in aggregate_levels() %}
    select year, area_code as village_code, '{{ level }}' as area_level, {{ level }}_code as area_code
    from {{ ref('int_area_years') }}
    where area_level = 'village' and {{ level }}_code is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

expected as (
    select year, area_level, area_code, count(distinct village_code) as villages_expected
    from members
    group by year, area_level, area_code
),

village_values as (
    select period, year, period_kind, area_code, indicator_code, form_code, kind, value
    from {{ ref('int_village_values') }}
),

-- the weight of each weighted-mean fact: the catalog's weight indicator of the same village
-- and period. Only the wmean facts are joined to it (a small join, ahead of the fan-out to
-- every level); the other facts carry no weight.
weights as (
    select i.indicator_code, w.period, w.area_code, w.value as weight_value
    from indicators as i
    inner join village_values as w on w.indicator_code = i.weight
    where i.kind = 'wmean'
),

weighted as (
    select
        v.*,
        cast(null as double) as weight_value
    from village_values as v
    inner join indicators as i on i.indicator_code = v.indicator_code
    where i.kind is distinct from 'wmean'
    union all
    select
        v.*,
        w.weight_value
    from village_values as v
    inner join indicators as i on i.indicator_code = v.indicator_code
    left join weights as w
        on w.indicator_code = v.indicator_code and w.period = v.period and w.area_code = v.area_code
    where i.kind = 'wmean'
),

-- A village has one fact per period and indicator (int_village_values is unique on period,
-- area_code, indicator_code) and one area per level and year (int_area_years is unique on
-- year, area_code) — both by construction and by their error-severity tests, which dbt build
-- runs before this model — so each group holds a village at most once and its
-- villages_reported is count(*): the same as count(distinct village), without a distinct
-- over every (village, level) pair (16 million at province scale).
rolled as (
    select
        v.period,
        v.year,
        v.period_kind,
        m.area_level,
        m.area_code,
        v.indicator_code,
        v.form_code,
        v.kind,
        count(*) as villages_reported,
        sum(v.value) as sum_value,
        count(case when v.value = 1 then 1 end) as n_flagged,
        sum(case when v.weight_value is not null then v.value * v.weight_value end) as weighted_sum,
        sum(case when v.value is not null then v.weight_value end) as weight_total
    from weighted as v
    inner join members as m on m.year = v.year and m.village_code = v.area_code
    group by v.period, v.year, v.period_kind, m.area_level, m.area_code, v.indicator_code, v.form_code, v.kind
),

plain as (
    select
        period, year, period_kind, area_level, area_code, indicator_code, form_code, kind,
        case kind
            when 'flag' then cast(n_flagged as double)
            when 'wmean' then weighted_sum / nullif(weight_total, 0)
            else sum_value
        end as value,
        villages_reported
    from rolled
    where kind <> 'ratio'
),

ratios as (
    select
        n.period,
        n.year,
        n.period_kind,
        n.area_level,
        n.area_code,
        i.indicator_code,
        i.form_code,
        i.kind,
        case when d.value <> 0 then i.scale * n.value / d.value end as value,
        coalesce(r.villages_reported, 0) as villages_reported
    from indicators as i
    inner join plain as n on n.indicator_code = i.numerator
    inner join plain as d
        on d.indicator_code = i.denominator and d.period = n.period
        and d.area_level = n.area_level and d.area_code = n.area_code
    left join rolled as r
        on r.indicator_code = i.indicator_code and r.period = n.period
        and r.area_level = n.area_level and r.area_code = n.area_code
    where i.kind = 'ratio'
),

all_values as (
    select * from plain
    union all
    select * from ratios
)

select
    a.period,
    a.year,
    a.period_kind,
    a.area_code,
    a.area_level,
    a.indicator_code,
    a.form_code,
    a.kind,
    a.value,
    a.villages_reported,
    e.villages_expected
from all_values as a
inner join expected as e
    on e.year = a.year and e.area_level = a.area_level and e.area_code = a.area_code
