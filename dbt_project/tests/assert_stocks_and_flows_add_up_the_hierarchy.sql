{{ config(meta={'dagster': {'ref': {'name': 'fct_area_indicator'}}}) }}
-- Every level's stock and flow values equal the sum of the level just below (a township's
-- from its villages, a county's from its townships, ...), for the same period and indicator.
{%- set levels = area_levels() %}
with f as (
    select f.*, ay.parent_code
    from {{ ref('fct_area_indicator') }} as f
    inner join {{ ref('int_area_years') }} as ay on ay.year = f.year and ay.area_code = f.area_code
    where f.kind in ('stock', 'flow')
),

children as (
    select period, parent_code as area_code, indicator_code, sum(value) as child_sum
    from f
    where area_level in ({% for l in levels[:-1] %}'{{ l }}'{% if not loop.last %}, {% endif %}{% endfor %})
    group by period, parent_code, indicator_code
)

select f.period, f.area_code, f.indicator_code, f.value, c.child_sum
from f
inner join children as c
    on c.period = f.period and c.area_code = f.area_code and c.indicator_code = f.indicator_code
where abs(coalesce(f.value, 0) - coalesce(c.child_sum, 0)) > 1e-6 * greatest(1, abs(coalesce(f.value, 0)))
