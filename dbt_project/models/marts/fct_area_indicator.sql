-- One row per period, area (every level, villages included) and indicator: village facts as
-- reported (ratios recomputed, FP4 annual = H1 + H2) and every level above computed
-- bottom-up from them (see int_village_values and int_area_values).
with villages as (
    select
        period,
        year,
        period_kind,
        area_code,
        'village' as area_level,
        indicator_code,
        form_code,
        kind,
        value,
        1 as villages_reported,
        1 as villages_expected
    from {{ ref('int_village_values') }}
),

above as (
    select
        period,
        year,
        period_kind,
        area_code,
        area_level,
        indicator_code,
        form_code,
        kind,
        value,
        villages_reported,
        villages_expected
    from {{ ref('int_area_values') }}
),

all_levels as (
    select * from villages
    union all
    select * from above
)

select
    a.period,
    a.area_code,
    a.area_level,
    a.indicator_code,
    cast(a.value as double) as value,
    a.villages_reported,
    a.villages_expected,
    a.form_code,
    a.kind,
    a.year,
    a.period_kind,
    ay.area_name
from all_levels as a
left join {{ ref('int_area_years') }} as ay
    on ay.year = a.year and ay.area_code = a.area_code
