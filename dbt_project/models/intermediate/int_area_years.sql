-- The registry as valid in each year that has submissions: one row per year and area, with
-- the area's ancestors at every level in that year's hierarchy (each year's registry decides
-- which township, county, ... a village belongs to, so a merger takes effect from the year
-- its successor's span begins). An area's own code fills the column of its own level.
with years as (
    select distinct year from {{ ref('int_periods') }}
),

area_years as (
    select
        y.year,
        a.area_code,
        a.area_name,
        a.area_level,
        a.parent_code,
        a.successor_code,
        a.valid_from,
        a.valid_to,
        -- a registry with overlapping spans of one code: the later span wins
        row_number() over (partition by y.year, a.area_code order by a.valid_from desc) as span_rank
    from {{ ref('stg_areas') }} as a
    inner join years as y
        on y.year >= a.valid_from and (a.valid_to is null or y.year <= a.valid_to)
),

valid as (
    select * from area_years where span_rank = 1
)

select
    v.year,
    v.area_code,
    v.area_name,
    v.area_level,
    v.parent_code,
    {{ ancestor_columns('v', 'p') }},
    v.successor_code,
    v.valid_from,
    v.valid_to
from valid as v
{{ ancestor_joins('valid', 'v', 'p', '{p}.year = {c}.year') }}
