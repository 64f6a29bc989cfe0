-- One row per inbox file seen: the reader's verdict (loaded, rejected, ignored), except that
-- a loaded file is `conflict` when any of its submissions is in conflict and `superseded`
-- when every one of them was replaced (int_submissions_resolved); the message says why.
with per_file as (
    select
        file_path,
        count(*) as n_submissions,
        count(case when resolution = 'active' then 1 end) as n_active,
        count(case when resolution = 'superseded' then 1 end) as n_superseded,
        count(case when resolution = 'conflict' then 1 end) as n_conflict,
        string_agg(case when resolution = 'conflict' then resolution_message end, '; '
            order by form_code, period, sheet_name) as conflict_message,
        string_agg(case when resolution = 'superseded' then resolution_message end, '; '
            order by form_code, period, sheet_name) as superseded_message
    from {{ ref('int_submissions_resolved') }}
    group by file_path
)

select
    f.file_path,
    case
        when f.status = 'loaded' and p.n_conflict > 0 then 'conflict'
        when f.status = 'loaded' and p.n_submissions > 0 and p.n_superseded = p.n_submissions then 'superseded'
        else f.status
    end as status,
    f.form_codes,
    f.period,
    f.township_code,
    f.rows_loaded,
    case
        when f.status = 'loaded' and p.n_conflict > 0 then p.conflict_message
        when f.status = 'loaded' and p.n_superseded > 0 then
            p.superseded_message
            || case when p.n_superseded < p.n_submissions then ' (other sheets still used)' else '' end
        else f.message
    end as message,
    f.status as reader_status,
    coalesce(p.n_submissions, 0) as n_submissions,
    coalesce(p.n_active, 0) as n_active,
    coalesce(p.n_superseded, 0) as n_superseded,
    coalesce(p.n_conflict, 0) as n_conflict,
    f.sha256,
    f.size_bytes,
    f.read_at
from {{ ref('stg_files') }} as f
left join per_file as p on p.file_path = f.file_path
