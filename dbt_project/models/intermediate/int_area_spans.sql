-- The registry span by span (one row per area code and validity span), with the area's
-- ancestors at every level. A span's parent is the parent's span in force at the end of the
-- child's span (its last year, or now while current).
with spans as (
    select * from {{ ref('stg_areas') }}
),

parent_candidates as (
    select
        c.area_span_id,
        p.area_span_id as parent_span_id,
        row_number() over (partition by c.area_span_id order by p.valid_from desc) as rank_
    from spans as c
    inner join spans as p
        on p.area_code = c.parent_code
        and p.valid_from <= coalesce(c.valid_to, 9999)
        and coalesce(p.valid_to, 9999) >= c.valid_from
),

linked as (
    select
        s.*,
        l.parent_span_id
    from spans as s
    left join parent_candidates as l on l.area_span_id = s.area_span_id and l.rank_ = 1
)

select
    s.area_span_id,
    s.area_code,
    s.area_name,
    s.area_level,
    s.parent_code,
    {{ ancestor_columns('s', 'p') }},
    s.valid_from,
    s.valid_to,
    s.successor_code,
    s.aliases
from linked as s
{%- set depth = area_levels() | length - 1 %}
{%- for d in range(1, depth + 1) %}
{%- set child = 's' if d == 1 else 'p' ~ (d - 1) %}
left join linked as p{{ d }} on p{{ d }}.area_span_id = {{ child }}.parent_span_id
{%- endfor %}
