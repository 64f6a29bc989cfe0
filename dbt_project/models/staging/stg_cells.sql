-- One row per reported number, with its provenance (file, sheet, cell) and its period split
-- into year and kind. `value` is in the indicator's canonical unit; ratios as reported.
select
    submission_id,
    file_path,
    sheet_name,
    cell,
    cast(row_number as integer) as row_number,
    upper(trim(form_code)) as form_code,
    trim(period) as period,
    {{ period_year('trim(period)') }} as year,
    {{ period_kind('trim(period)') }} as period_kind,
    trim(township_code) as township_code,
    nullif(trim(area_code), '') as area_code,
    area_name,
    lower(trim(row_kind)) as row_kind,
    upper(trim(indicator_code)) as indicator_code,
    raw_text,
    cast(value as double) as value
from {{ source('raw', 'cells') }}
