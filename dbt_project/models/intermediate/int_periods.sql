-- Every period of every year that any submission is for, one row per period kind of
-- catalog_periods (so a year has YYYY, YYYYH1 and YYYYH2 whatever was reported).
with years as (
    select distinct year from {{ ref('stg_submissions') }} where year is not null
),

kinds as (
    select distinct period_kind from {{ ref('catalog_periods') }}
)

select
    {{ period_id('y.year', 'k.period_kind') }} as period,
    y.year,
    k.period_kind,
    cast(cast(y.year as varchar) || case when k.period_kind = 'YYYYH2' then '-07-01' else '-01-01' end as date)
        as start_date,
    cast(cast(y.year as varchar) || case when k.period_kind = 'YYYYH1' then '-06-30' else '-12-31' end as date)
        as end_date,
    cast(y.year as varchar) || '年' || case k.period_kind
        when 'YYYYH1' then '1-6月'
        when 'YYYYH2' then '7-12月'
        else ''
    end as period_label
from years as y
cross join kinds as k
