-- The area registry: one row per area and validity span (a village code can have two spans
-- when it absorbs merging villages and keeps its own code).
select
    code || ':' || cast(valid_from as varchar) as area_span_id,
    code as area_code,
    trim(name) as area_name,
    lower(trim(level)) as area_level,
    nullif(trim(parent_code), '') as parent_code,
    cast(valid_from as integer) as valid_from,
    cast(valid_to as integer) as valid_to,
    nullif(trim(successor_code), '') as successor_code,
    nullif(trim(aliases), '') as aliases
from {{ source('raw', 'areas') }}
