-- The cells that count: every raw cell of an active submission (superseded and conflicting
-- submissions contribute nothing), with the period's year and kind and whether its row was
-- reported at all (a row whose figures are all blank is a village that did not report).
-- Stored in indicator order: the checks (huizong.dq) each read a few indicators, and DuckDB
-- skips the row groups whose indicator range cannot match.
select
    c.submission_id,
    c.file_path,
    c.sheet_name,
    c.cell,
    c.row_number,
    c.form_code,
    c.period,
    c.township_code,
    c.area_code,
    c.area_name,
    c.row_kind,
    c.indicator_code,
    c.raw_text,
    c.value,
    c.year,
    c.period_kind,
    coalesce(r.reported, true) as row_reported,
    s.report_date
from {{ ref('stg_cells') }} as c
inner join {{ ref('int_submissions_resolved') }} as s
    on c.submission_id = s.submission_id
left join {{ ref('stg_rows') }} as r
    on c.submission_id = r.submission_id and c.row_number = r.row_number
where s.resolution = 'active'
order by c.indicator_code
