-- One row per period (YYYY, YYYYH1, YYYYH2) of every year that has submissions.
select period, year, period_kind, start_date, end_date, period_label
from {{ ref('int_periods') }}
