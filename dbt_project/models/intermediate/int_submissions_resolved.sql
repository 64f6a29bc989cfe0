-- Which submission counts, per reporting unit, form and period (FORMS.md section 4):
-- the one with the latest 报出日期 is `active` and replaces the earlier ones (`superseded`);
-- two or more with the same latest date and different figures are all `conflict` and none
-- is used; the same date and the same figures (a duplicate) keep one, deterministically.
-- A missing 报出日期 counts as the earliest.
with submissions as (
    select
        *,
        coalesce(report_date, cast('0001-01-01' as date)) as effective_date
    from {{ ref('stg_submissions') }}
),

latest as (
    select reporter_code, form_code, period, max(effective_date) as latest_date
    from submissions
    group by reporter_code, form_code, period
),

at_latest as (
    select
        s.reporter_code,
        s.form_code,
        s.period,
        count(distinct s.content_hash) as n_versions
    from submissions as s
    inner join latest as l
        on s.reporter_code = l.reporter_code and s.form_code = l.form_code
        and s.period = l.period and s.effective_date = l.latest_date
    group by s.reporter_code, s.form_code, s.period
),

ranked as (
    select
        s.*,
        l.latest_date,
        a.n_versions,
        row_number() over (
            partition by s.reporter_code, s.form_code, s.period, s.effective_date
            order by s.file_path, s.sheet_name, s.submission_id
        ) as rank_at_date
    from submissions as s
    inner join latest as l
        on s.reporter_code = l.reporter_code and s.form_code = l.form_code and s.period = l.period
    inner join at_latest as a
        on s.reporter_code = a.reporter_code and s.form_code = a.form_code and s.period = a.period
),

resolved as (
    select
        *,
        case
            when effective_date < latest_date then 'superseded'
            when n_versions > 1 then 'conflict'
            when rank_at_date = 1 then 'active'
            else 'superseded'
        end as resolution,
        case
            when effective_date < latest_date then 'later 报出日期'
            when n_versions > 1 then 'same 报出日期, other figures'
            when rank_at_date > 1 then 'same 报出日期, same figures (duplicate)'
        end as resolution_reason
    from ranked
),

-- The submissions a superseded or conflicting one gives way to / collides with: the other
-- submissions at the latest date of the same unit, form and period.
others as (
    select
        r.submission_id,
        string_agg(distinct o.file_path, '; ' order by o.file_path) as other_files
    from resolved as r
    inner join resolved as o
        on r.reporter_code = o.reporter_code and r.form_code = o.form_code and r.period = o.period
        and o.submission_id <> r.submission_id
        and o.effective_date = r.latest_date
        and (r.resolution = 'superseded' and o.resolution in ('active', 'conflict')
             or r.resolution = 'conflict' and o.resolution = 'conflict')
    group by r.submission_id
),

final as (
    select
        r.submission_id,
        r.file_path,
        r.sheet_name,
        r.form_code,
        r.period,
        r.year,
        r.period_kind,
        r.reporter_code,
        r.reporter_level,
        r.report_date,
        r.declared_units,
        r.issuer,
        r.content_hash,
        r.n_rows,
        r.resolution,
        r.resolution_reason,
        case when r.resolution = 'conflict' then o.other_files end as conflict_with,
        case when r.resolution = 'superseded' then o.other_files end as superseded_by,
        nullif(r.latest_date, cast('0001-01-01' as date)) as latest_report_date
    from resolved as r
    left join others as o on r.submission_id = o.submission_id
)

select
    final.*,
    coalesce(f.table_no, final.form_code) || ' ' || final.period || ' (' || final.reporter_code || '): ' ||
    case final.resolution
        when 'conflict' then
            'same 报出日期 ' || coalesce(cast(final.report_date as varchar), '(none)') || ' as '
            || coalesce(final.conflict_with, '?') || ' with other figures; neither is used'
        when 'superseded' then
            case
                when final.report_date is not distinct from final.latest_report_date then
                    'same 报出日期 and same figures as ' || coalesce(final.superseded_by, '?') || '; that one is kept'
                else
                    'replaced by ' || coalesce(final.superseded_by, '?') || ' (later 报出日期 '
                    || coalesce(cast(final.latest_report_date as varchar), '?') || ')'
            end
        else 'active'
    end as resolution_message
from final
left join {{ ref('catalog_forms') }} as f on f.form_code = final.form_code
