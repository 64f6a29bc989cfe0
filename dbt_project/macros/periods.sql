{#- Period ids are `YYYY`, `YYYYH1`, `YYYYH2` (FORMS.md section 2); the kinds are the
    `period_kind` values of seeds/catalog_periods.csv. -#}

{% macro period_year(period) -%}
    cast(substr({{ period }}, 1, 4) as integer)
{%- endmacro %}

{% macro period_kind(period) -%}
    case
        when length({{ period }}) = 4 then 'YYYY'
        when length({{ period }}) = 6 then 'YYYY' || substr({{ period }}, 5, 2)
    end
{%- endmacro %}

{#- The period id of a year and a kind: (2018, 'YYYYH1') -> '2018H1'. -#}
{% macro period_id(year, kind) -%}
    cast({{ year }} as varchar) || replace({{ kind }}, 'YYYY', '')
{%- endmacro %}

{#- True when a form (its catalog_forms.periods, `|`-separated kinds) is reported for a
    period kind. -#}
{% macro form_has_kind(form_periods, kind) -%}
    ('|' || {{ form_periods }} || '|' like '%|' || {{ kind }} || '|%')
{%- endmacro %}

{#- A ratio's scale from the catalog (empty = 1). The seed keeps `scale` as text so that the
    seed file can feed unit tests as is (an empty cell there is '' rather than NULL). -#}
{% macro catalog_scale(column) -%}
    coalesce(cast(nullif(trim(cast({{ column }} as varchar)), '') as double), 1)
{%- endmacro %}
