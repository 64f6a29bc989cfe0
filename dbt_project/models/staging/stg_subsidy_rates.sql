-- Subsidy standards: 元 per 人次 per half-year, for an amount indicator and its count.
select
    cast(year as integer) as year,
    upper(trim(amount_code)) as amount_code,
    upper(trim(count_code)) as count_code,
    cast(rate as double) as rate
from {{ source('raw', 'subsidy_rates') }}
