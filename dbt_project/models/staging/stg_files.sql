-- One row per inbox file seen by the reader, as read.
select
    file_path,
    sha256,
    cast(size_bytes as bigint) as size_bytes,
    lower(trim(status)) as status,
    nullif(trim(message), '') as message,
    nullif(trim(form_codes), '') as form_codes,
    nullif(trim(period), '') as period,
    nullif(trim(township_code), '') as township_code,
    coalesce(cast(rows_loaded as integer), 0) as rows_loaded,
    read_at
from {{ source('raw', 'files') }}
