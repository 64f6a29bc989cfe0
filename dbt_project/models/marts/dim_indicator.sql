-- One row per indicator, straight from the catalog seed, with its form's 表号 and title.
select
    i.indicator_code,
    i.form_code,
    i.label,
    i.unit,
    i.kind,
    i.decimals,
    i.group_label,
    i.leaf_label,
    i.numerator,
    i.denominator,
    {{ catalog_scale("i.scale") }} as scale,
    i.weight,
    i.target_of,
    i.position,
    f.table_no,
    f.title as form_title,
    f.periods as form_periods
from {{ ref('catalog_indicators') }} as i
inner join {{ ref('catalog_forms') }} as f on f.form_code = i.form_code
