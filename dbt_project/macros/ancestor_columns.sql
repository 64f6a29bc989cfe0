{#- Ancestor codes by level, without recursive SQL: `relation_alias` is the area, and
    `<prefix>1` .. `<prefix>N` are its parent, grandparent, ... (N = number of levels - 1),
    left-joined by the caller with `ancestor_joins`. Emits `<level>_code` for every level
    above the village; an area's own code fills the column of its own level. -#}
{% macro ancestor_joins(relation, area_alias, prefix, on_extra) -%}
    {%- set depth = area_levels() | length - 1 %}
    {%- for d in range(1, depth + 1) %}
    {%- set child = area_alias if d == 1 else prefix ~ (d - 1) %}
    left join {{ relation }} as {{ prefix ~ d }}
        on {{ prefix ~ d }}.area_code = {{ child }}.parent_code
        {%- if on_extra %} and {{ on_extra | replace('{p}', prefix ~ d) | replace('{c}', child) }}{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro ancestor_columns(area_alias, prefix) -%}
    {%- set depth = area_levels() | length - 1 %}
    {%- for level in aggregate_levels() %}
    case
        when {{ area_alias }}.area_level = '{{ level }}' then {{ area_alias }}.area_code
        {%- for d in range(1, depth + 1) %}
        when {{ prefix ~ d }}.area_level = '{{ level }}' then {{ prefix ~ d }}.area_code
        {%- endfor %}
    end as {{ level }}_code{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
