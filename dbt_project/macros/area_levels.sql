{#- The five levels of the statistical area code, bottom-up (FORMS.md section 1; INTERFACE.md
    `area_level` values). Villages report; every level above is computed from them. -#}
{% macro area_levels() -%}
    {{ return(['village', 'township', 'county', 'city', 'province']) }}
{%- endmacro %}

{% macro aggregate_levels() -%}
    {{ return(area_levels()[1:]) }}
{%- endmacro %}
