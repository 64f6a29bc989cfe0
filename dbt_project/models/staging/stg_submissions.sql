-- One row per form sheet read (a submission), with its period split into year and kind.
select
    submission_id,
    file_path,
    sheet_name,
    upper(trim(form_code)) as form_code,
    trim(period) as period,
    {{ period_year('trim(period)') }} as year,
    {{ period_kind('trim(period)') }} as period_kind,
    trim(reporter_code) as reporter_code,
    lower(trim(reporter_level)) as reporter_level,
    cast(report_date as date) as report_date,
    nullif(trim(declared_units), '') as declared_units,
    nullif(trim(issuer), '') as issuer,
    content_hash,
    cast(n_rows as integer) as n_rows
from {{ source('raw', 'submissions') }}
