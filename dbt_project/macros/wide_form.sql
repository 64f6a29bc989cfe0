{#- A wide table of one form: one row per period and area (every level), one column per
    indicator of the form, in the form's column order. The indicator list is read from the
    catalog seed at run time (run_query), never typed out. Before the seed exists (e.g.
    `dbt compile` on an empty warehouse) the table has the key columns only. -#}
{% macro wide_form(form_code) %}
{{- config(post_hook=["{{ comment_indicator_columns(this, '" ~ form_code ~ "') }}"]) -}}
{%- set catalog = ref('catalog_indicators') -%}
{%- set facts = ref('fct_area_indicator') -%}
{%- set codes = [] -%}
{%- if execute and load_relation(catalog) is not none -%}
    {%- set query -%}
        select indicator_code from {{ catalog }}
        where form_code = '{{ form_code }}' and kind <> 'target'
        order by position, indicator_code
    {%- endset -%}
    {%- set codes = run_query(query).columns[0].values() -%}
{%- endif %}
select
    f.period,
    f.area_code,
    f.area_level,
    max(f.area_name) as area_name,
    max(f.villages_expected) as villages_expected
    {%- for code in codes %},
    max(case when f.indicator_code = '{{ code }}' then f.value end) as {{ adapter.quote(code) }}
    {%- endfor %}
from {{ facts }} as f
where f.form_code = '{{ form_code }}'
group by f.period, f.area_code, f.area_level
{% endmacro %}

{#- After a wide table is built: each indicator column gets its catalog label and unit as
    the column comment (shown by `dbt docs`), since the columns are not listed in YAML. -#}
{% macro comment_indicator_columns(relation, form_code) %}
{%- if execute and load_relation(ref('catalog_indicators')) is not none -%}
    {%- set query -%}
        select indicator_code, label, unit from {{ ref('catalog_indicators') }}
        where form_code = '{{ form_code }}' and kind <> 'target'
        order by position, indicator_code
    {%- endset -%}
    {%- for row in run_query(query).rows -%}
        comment on column {{ relation }}.{{ adapter.quote(row[0]) }} is '{{ row[1] | replace("'", "''") }} ({{ row[2] | replace("'", "''") }})';
    {% endfor -%}
{%- endif -%}
{% endmacro %}
