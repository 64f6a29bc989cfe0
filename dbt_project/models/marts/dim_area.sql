-- One row per area and validity span, with its ancestors at every level.
select
    area_code,
    area_name,
    area_level,
    parent_code,
    city_code,
    county_code,
    township_code,
    valid_from,
    valid_to,
    province_code,
    successor_code,
    aliases,
    area_span_id
from {{ ref('int_area_spans') }}
