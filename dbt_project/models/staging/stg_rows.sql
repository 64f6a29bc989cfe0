-- One row per data row of a form sheet: a village, the township's 合计 row, or a county (FPT).
select
    submission_id,
    file_path,
    sheet_name,
    cast(row_number as integer) as row_number,
    lower(trim(row_kind)) as row_kind,
    name_raw,
    nullif(trim(code_raw), '') as code_raw,
    nullif(trim(area_code), '') as area_code,
    coalesce(reported, true) as reported
from {{ source('raw', 'rows') }}
