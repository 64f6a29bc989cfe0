-- FP1 as a wide table: one row per period and area, one column per indicator (from the catalog).
{{ wide_form('FP1') }}
