"""The parameterised SQL templates that ``check:`` declarations name.

Each template turns a declaration (its indicators, row kinds, tolerance and ``params``) into
one set-based query over the engine's staged views (see ``huizong.dq.engine.STAGING``):

- ``_dq_cells``  ``intermediate.int_reported_cells`` + the indicator's ``kind``/``unit`` from the
                 catalog + ``area_label`` (registry name for the year, else the name as written);
- ``_dq_subs``   ``intermediate.int_submissions_resolved`` + ``year``;
- ``_dq_ind``    the catalog's indicators; the scalar function ``_dq_is_blank(text)`` (the
                 reader's blank markers) and the macro ``_dq_fmt(number)``;
and the inputs ``raw.rows``, ``raw.areas``, ``raw.subsidy_rates``, ``intermediate.int_area_years``,
``marts.fct_target_progress``.

Every query returns the issue columns ``period, area_code, area_name, township_code, form_code,
source_file, source_sheet, source_cell, indicator_codes, observed, expected`` and may add
columns of its own, which become message placeholders (listed beside each template).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from huizong.catalog import Catalog

EPS = "1e-9"


def q(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def in_list(values) -> str:
    values = list(values)
    return "(" + ", ".join(q(v) for v in values) + ")" if values else "(NULL)"


def array(values) -> str:
    return "[" + ", ".join(q(v) for v in values) + "]::varchar[]"


def tolerance_case(rule, catalog: Catalog, column: str) -> str:
    """Per-indicator tolerance as a SQL CASE over ``column`` (an indicator_code column)."""
    whens = " ".join(f"when {q(c)} then {rule.tolerance_for(c, catalog)!r}" for c in rule.indicators)
    return f"(case {column} {whens} else 0.0 end)" if whens else "0.0"


def fail_gt(a: str, b: str, tol: str) -> str:
    """``a`` exceeds ``b`` by more than ``tol`` (relative epsilon against float noise)."""
    return f"(({a}) - ({b}) > {tol} + {EPS} * greatest(1.0, abs({a}), abs({b})))"


@dataclass(frozen=True)
class Template:
    name: str
    build: Callable[..., str]
    params: dict[str, Any]
    doc: str


TEMPLATES: dict[str, Template] = {}


def template(name: str, **params: Any):
    def register(fn):
        TEMPLATES[name] = Template(name, fn, params, (fn.__doc__ or "").strip())
        return fn

    return register


def validate_params(rule, where: str) -> None:
    from huizong.dq.declarations import DeclarationError

    t = TEMPLATES.get(rule.check)
    if t is None:
        raise DeclarationError(f"{where}: check {rule.check!r} is not a template of the engine ({sorted(TEMPLATES)})")
    unknown = set(rule.params) - set(t.params)
    if unknown:
        raise DeclarationError(f"{where}: check {rule.check} takes no params {sorted(unknown)} (it takes {sorted(t.params)})")


def params_of(rule) -> dict[str, Any]:
    t = TEMPLATES[rule.check]
    return {**t.params, **rule.params}


def build(rule, catalog: Catalog) -> str:
    return TEMPLATES[rule.check].build(rule, catalog, params_of(rule))


_ISSUE_FROM_CELL = """c.period, c.area_code, c.area_label as area_name, c.township_code, c.form_code,
       c.file_path as source_file, c.sheet_name as source_sheet, c.cell as source_cell"""


# --------------------------------------------------------------------------- standard


@template("subsidy_standard")
def _subsidy_standard(rule, catalog, p):
    """An amount differs from count x the year's rate (``raw.subsidy_rates``: year,
    amount_code, count_code, rate), same row. Only the selected indicators that the rates
    file lists are checked. Extra placeholders: count_code, count_value, count_cell, rate,
    amount_code, diff."""
    tol = tolerance_case(rule, catalog, "c.indicator_code")
    return f"""
select {_ISSUE_FROM_CELL},
       [c.indicator_code, r.count_code]::varchar[] as indicator_codes,
       c.value as observed, n.value * r.rate as expected,
       c.indicator_code as amount_code, r.count_code, n.value as count_value, n.cell as count_cell,
       r.rate, c.value - n.value * r.rate as diff
from _dq_cells c
join raw.subsidy_rates r on r.year = c.year and r.amount_code = c.indicator_code
join _dq_cells n on n.submission_id = c.submission_id and n.row_number = c.row_number
                and n.indicator_code = r.count_code
where c.indicator_code in {in_list(rule.indicators)} and c.row_kind in {in_list(rule.row_kinds)}
  and c.area_code is not null and c.value is not null and n.value is not null
  and abs(c.value - n.value * r.rate) > {tol} + {EPS} * greatest(1.0, abs(c.value))
"""


# --------------------------------------------------------------------------- bounds


@template("negative_value")
def _negative_value(rule, catalog, p):
    """A number below zero. Placeholders: raw_text, label."""
    return f"""
select {_ISSUE_FROM_CELL}, [c.indicator_code]::varchar[] as indicator_codes,
       c.value as observed, 0.0 as expected, c.raw_text, c.label
from _dq_cells c
where c.indicator_code in {in_list(rule.indicators)} and c.row_kind in {in_list(rule.row_kinds)}
  and c.value < 0
"""


@template("non_integer")
def _non_integer(rule, catalog, p):
    """A count that is not a whole number. Placeholders: raw_text, label."""
    return f"""
select {_ISSUE_FROM_CELL}, [c.indicator_code]::varchar[] as indicator_codes,
       c.value as observed, round(c.value) as expected, c.raw_text, c.label
from _dq_cells c
where c.indicator_code in {in_list(rule.indicators)} and c.row_kind in {in_list(rule.row_kinds)}
  and abs(c.value - round(c.value)) > {EPS}
"""


@template("invalid_flag")
def _invalid_flag(rule, catalog, p):
    """A flag cell that did not read as 是/否 (value NULL or not 0/1). Placeholders: raw_text, label."""
    return f"""
select {_ISSUE_FROM_CELL}, [c.indicator_code]::varchar[] as indicator_codes,
       c.value as observed, null::double as expected, coalesce(c.raw_text, '') as raw_text, c.label
from _dq_cells c
where c.indicator_code in {in_list(rule.indicators)} and c.row_kind in {in_list(rule.row_kinds)}
  and (c.value is null or c.value not in (0, 1))
"""


@template("not_a_number")
def _not_a_number(rule, catalog, p):
    """Text in a number column that does not read as a number (value NULL, and the text is
    not blank nor a blank marker such as ``-``, ``—``, ``/``, ``无``: ``_dq_is_blank``, the
    reader's own test). Placeholders: raw_text, label."""
    return f"""
select {_ISSUE_FROM_CELL}, [c.indicator_code]::varchar[] as indicator_codes,
       null::double as observed, null::double as expected, c.raw_text, c.label
from _dq_cells c
where c.indicator_code in {in_list(rule.indicators)} and c.row_kind in {in_list(rule.row_kinds)}
  and c.value is null and not _dq_is_blank(c.raw_text)
"""


# --------------------------------------------------------------------------- hierarchy


@template("total_vs_parts", part_row_kinds=["village", "county"], flag_kinds=["flag"])
def _total_vs_parts(rule, catalog, p):
    """A ``合计`` row against the sum of the same sheet's part rows (``part_row_kinds``,
    matched to the registry or not); for indicators of a ``flag_kinds`` kind, against the
    number of part rows flagged 1 (the 合计 cell holds a count: its text is read as a number
    when the flag parser left it NULL). Placeholders: n_parts, parts_first_cell,
    parts_last_cell, diff, label."""
    tol = tolerance_case(rule, catalog, "t.indicator_code")
    flags = in_list(p["flag_kinds"])
    return f"""
with parts as (
    select submission_id, indicator_code, sum(value) as total, count(*) filter (where value = 1) as flagged,
           count(*) as n_parts, min(row_number) as first_row, max(row_number) as last_row,
           arg_min(cell, row_number) as parts_first_cell, arg_max(cell, row_number) as parts_last_cell
    from _dq_cells
    where row_kind in {in_list(p["part_row_kinds"])} and indicator_code in {in_list(rule.indicators)}
    group by submission_id, indicator_code
), totals as (
    select t.*, coalesce(t.value, case when t.kind in {flags} then try_cast(trim(t.raw_text) as double) end) as reported,
           case when t.kind in {flags} then p.flagged else p.total end as summed,
           p.n_parts, p.parts_first_cell, p.parts_last_cell
    from _dq_cells t join parts p using (submission_id, indicator_code)
    where t.row_kind = 'total' and t.indicator_code in {in_list(rule.indicators)}
)
select t.period, t.area_code, t.area_label as area_name, t.township_code, t.form_code,
       t.file_path as source_file, t.sheet_name as source_sheet, t.cell as source_cell,
       [t.indicator_code]::varchar[] as indicator_codes, t.reported as observed, t.summed as expected,
       t.reported - t.summed as diff, t.n_parts, t.parts_first_cell, t.parts_last_cell, t.label
from totals t
where t.reported is not null and t.summed is not null
  and abs(t.reported - t.summed) > {tol} + {EPS} * greatest(1.0, abs(t.reported), abs(t.summed))
"""


# --------------------------------------------------------------------------- cross-period


@template("sub_period_exceeds_year", sub_period_kind="YYYYH1", year_period_kind="YYYY")
def _sub_period_exceeds_year(rule, catalog, p):
    """A cumulative sub-period flow (H1) greater than the same year's flow, same area and row
    kind. The issue sits at the sub-period. Placeholders: year_period, year_cell, year_file,
    diff, label."""
    tol = tolerance_case(rule, catalog, "h.indicator_code")
    return f"""
with y as (
    select year, area_code, row_kind, indicator_code, max(value) as value, min(period) as period,
           min(cell) as cell, min(file_path) as file_path
    from _dq_cells
    where period_kind = {q(p["year_period_kind"])} and indicator_code in {in_list(rule.indicators)}
      and row_kind in {in_list(rule.row_kinds)} and area_code is not null
    group by all
)
select h.period, h.area_code, h.area_label as area_name, h.township_code, h.form_code,
       h.file_path as source_file, h.sheet_name as source_sheet, h.cell as source_cell,
       [h.indicator_code]::varchar[] as indicator_codes, h.value as observed, y.value as expected,
       y.period as year_period, y.cell as year_cell, y.file_path as year_file, h.value - y.value as diff, h.label
from _dq_cells h join y using (year, area_code, row_kind, indicator_code)
where h.period_kind = {q(p["sub_period_kind"])} and h.indicator_code in {in_list(rule.indicators)}
  and h.row_kind in {in_list(rule.row_kinds)} and h.value is not null and y.value is not null
  and {fail_gt("h.value", "y.value", tol)}
"""


# --------------------------------------------------------------------------- completeness


@template("missing_area_row", area_level="village", reporter_level="township")
def _missing_area_row(rule, catalog, p):
    """An area of ``area_level`` valid in the period's year (``int_area_years``) under a
    reporter that has an active submission of a form for the period, with no row in any of
    that reporter's active submissions of the form and period. Placeholders: reporter_name."""
    return f"""
with subs as (
    select * from _dq_subs where resolution = 'active' and reporter_level = {q(p["reporter_level"])}
), present as (
    select distinct s.reporter_code, s.form_code, s.period, r.area_code
    from raw.rows r join subs s using (submission_id) where r.area_code is not null
)
select s.period, a.area_code, a.area_name, s.reporter_code as township_code, s.form_code,
       s.file_path as source_file, s.sheet_name as source_sheet, null::varchar as source_cell,
       []::varchar[] as indicator_codes, null::double as observed, null::double as expected,
       t.area_name as reporter_name
from subs s
join intermediate.int_area_years a on a.year = s.year and a.area_level = {q(p["area_level"])}
                                   and a.{p["reporter_level"]}_code = s.reporter_code
left join intermediate.int_area_years t on t.year = s.year and t.area_code = s.reporter_code
where not exists (select 1 from present x where x.reporter_code = s.reporter_code and x.form_code = s.form_code
                                            and x.period = s.period and x.area_code = a.area_code)
qualify row_number() over (partition by s.period, s.form_code, a.area_code order by s.file_path, s.sheet_name) = 1
"""


@template("row_not_reported", row_kind="village")
def _row_not_reported(rule, catalog, p):
    """A row of an active submission whose name is there but every figure is blank
    (``raw.rows.reported = false``). The area is the row's (the reporter when unmatched);
    source_cell is the whole row (``12:12``). Placeholders: name_raw, row_number."""
    return f"""
select s.period, coalesce(r.area_code, s.reporter_code) as area_code,
       coalesce(a.area_name, r.name_raw) as area_name, s.reporter_code as township_code, s.form_code,
       r.file_path as source_file, r.sheet_name as source_sheet,
       r.row_number || ':' || r.row_number as source_cell,
       []::varchar[] as indicator_codes, null::double as observed, null::double as expected,
       r.name_raw, r.row_number
from raw.rows r join _dq_subs s using (submission_id)
left join intermediate.int_area_years a on a.year = s.year and a.area_code = r.area_code
where s.resolution = 'active' and r.row_kind = {q(p["row_kind"])} and r.reported = false
"""


@template("unknown_area", row_kind="village")
def _unknown_area(rule, catalog, p):
    """A row of an active submission whose name/code the registry does not know
    (``raw.rows.area_code`` NULL). The area is the reporter. Placeholders: name_raw,
    code_raw, row_number."""
    return f"""
select s.period, s.reporter_code as area_code, a.area_name, s.reporter_code as township_code, s.form_code,
       r.file_path as source_file, r.sheet_name as source_sheet,
       r.row_number || ':' || r.row_number as source_cell,
       []::varchar[] as indicator_codes, null::double as observed, null::double as expected,
       coalesce(r.name_raw, '') as name_raw, coalesce(r.code_raw, '') as code_raw, r.row_number
from raw.rows r join _dq_subs s using (submission_id)
left join intermediate.int_area_years a on a.year = s.year and a.area_code = s.reporter_code
where s.resolution = 'active' and r.row_kind = {q(p["row_kind"])} and r.area_code is null
"""


@template("missing_submission", reporter_level="township", peer_level="city")
def _missing_submission(rule, catalog, p):
    """A reporter (``reporter_level``, valid that year) with no submission at all (active,
    superseded or conflicting) of a form for a period in which another reporter of the same
    ``peer_level`` area (county | city | province) submitted it. Placeholders: n_peers,
    peer_code."""
    lvl, peer = p["reporter_level"], p["peer_level"]
    if peer not in ("county", "city", "province"):
        raise ValueError(f"{rule.id}: peer_level must be county, city or province")
    return f"""
with subs as (
    select distinct form_code, period, year, reporter_code from _dq_subs where reporter_level = {q(lvl)}
), units as (
    select year, area_code, area_name, {peer}_code as peer_code
    from intermediate.int_area_years where area_level = {q(lvl)}
), seen as (
    select s.form_code, s.period, s.year, u.peer_code, count(*) as n_peers
    from subs s join units u on u.year = s.year and u.area_code = s.reporter_code
    group by all
)
select x.period, u.area_code, u.area_name, u.area_code as township_code, x.form_code,
       null::varchar as source_file, null::varchar as source_sheet, null::varchar as source_cell,
       []::varchar[] as indicator_codes, null::double as observed, null::double as expected,
       x.n_peers, x.peer_code
from seen x join units u on u.year = x.year and u.peer_code = x.peer_code
where not exists (select 1 from subs s where s.form_code = x.form_code and s.period = x.period
                                        and s.reporter_code = u.area_code)
"""


@template("conflicting_submissions")
def _conflicting_submissions(rule, catalog, p):
    """Submissions of one reporter, form and period with the same 报出日期 and different
    numbers (``resolution = 'conflict'``): one issue per reporter, form and period, at the
    reporter. Placeholders: n_submissions, files, report_date."""
    return f"""
select s.period, s.reporter_code as area_code, any_value(a.area_name) as area_name,
       s.reporter_code as township_code, s.form_code,
       min(s.file_path) as source_file, arg_min(s.sheet_name, s.file_path) as source_sheet, null::varchar as source_cell,
       []::varchar[] as indicator_codes, null::double as observed, null::double as expected,
       count(*) as n_submissions,
       string_agg(s.file_path || ' [' || coalesce(s.sheet_name, '') || ']', '; ' order by s.file_path) as files,
       cast(max(s.report_date) as varchar) as report_date
from _dq_subs s
left join intermediate.int_area_years a on a.year = s.year and a.area_code = s.reporter_code
where s.resolution = 'conflict'
group by s.period, s.reporter_code, s.form_code
"""


# --------------------------------------------------------------------------- plausibility


@template("year_over_year", max_change=0.30, period_kinds=["YYYY", "YYYYH1"])
def _year_over_year(rule, catalog, p):
    """A value changing by more than ``max_change`` (a fraction) from the same period kind of
    the previous year, same area. The previous year's areas are mapped through the registry's
    ``successor_code`` when they ended that year (mergers: the merged villages' values are
    summed onto the successor). Placeholders: previous_period, previous_areas, change_pct,
    label."""
    return f"""
with cells as (
    select * from _dq_cells
    where indicator_code in {in_list(rule.indicators)} and row_kind in {in_list(rule.row_kinds)}
      and period_kind in {in_list(p["period_kinds"])} and area_code is not null and value is not null
    qualify row_number() over (partition by period, area_code, indicator_code order by file_path, cell) = 1
), prev as (
    select c.year + 1 as year, c.period_kind, c.indicator_code,
           coalesce(case when a.valid_to = c.year then a.successor_code end, c.area_code) as area_code,
           sum(c.value) as value, min(c.period) as previous_period,
           string_agg(c.area_code, ',' order by c.area_code) as previous_areas
    from cells c
    left join raw.areas a on a.code = c.area_code and a.valid_from <= c.year and (a.valid_to is null or c.year <= a.valid_to)
    group by all
)
select {_ISSUE_FROM_CELL}, [c.indicator_code]::varchar[] as indicator_codes,
       c.value as observed, p.value as expected, p.previous_period, p.previous_areas,
       round(100.0 * (c.value / p.value - 1), 1) as change_pct, c.label
from cells c join prev p using (year, period_kind, indicator_code, area_code)
where p.value > 0 and abs(c.value / p.value - 1) > {float(p["max_change"])!r} + {EPS}
"""


@template("peer_outlier", factor=1000.0, min_peers=3, fallback_level="county", directions=["high"])
def _peer_outlier(rule, catalog, p):
    """A value ``factor`` times or more off the median of the other areas of its township for
    the indicator and period (peers with a value > 0); with fewer than ``min_peers`` such
    peers, the other areas of its ``fallback_level`` (county) are used. ``directions``: high
    (value >= factor x median, e.g. 元 written as 万元) and/or low (value <= median / factor).
    Placeholders: peer_level, n_peers, ratio, label."""
    fb = p["fallback_level"]
    dirs = set(p["directions"])
    conds = []
    if "high" in dirs:
        conds.append(f"x.value >= {float(p['factor'])!r} * x.median")
    if "low" in dirs:
        conds.append(f"x.value > 0 and x.value * {float(p['factor'])!r} <= x.median")
    if not conds:
        raise ValueError(f"{rule.id}: directions must name high and/or low")
    frame = "rows between unbounded preceding and unbounded following exclude current row"
    return f"""
with v as (
    select c.*, a.township_code as reg_township, a.{fb}_code as fallback_code
    from _dq_cells c
    join intermediate.int_area_years a on a.year = c.year and a.area_code = c.area_code
    where c.indicator_code in {in_list(rule.indicators)} and c.row_kind in {in_list(rule.row_kinds)}
      and c.value is not null
    qualify row_number() over (partition by c.period, c.area_code, c.indicator_code order by c.file_path, c.cell) = 1
), m as (
    select v.*,
        median(case when value > 0 then value end) over (partition by period, indicator_code, reg_township {frame}) as t_median,
        count(case when value > 0 then 1 end) over (partition by period, indicator_code, reg_township {frame}) as t_n,
        median(case when value > 0 then value end) over (partition by period, indicator_code, fallback_code {frame}) as f_median,
        count(case when value > 0 then 1 end) over (partition by period, indicator_code, fallback_code {frame}) as f_n
    from v
), x as (
    select m.*,
        case when t_n >= {int(p["min_peers"])} then t_median when f_n >= {int(p["min_peers"])} then f_median end as median,
        case when t_n >= {int(p["min_peers"])} then 'township' when f_n >= {int(p["min_peers"])} then {q(fb)} end as peer_level,
        case when t_n >= {int(p["min_peers"])} then t_n when f_n >= {int(p["min_peers"])} then f_n end as n_peers
    from m
)
select x.period, x.area_code, x.area_label as area_name, x.township_code, x.form_code,
       x.file_path as source_file, x.sheet_name as source_sheet, x.cell as source_cell,
       [x.indicator_code]::varchar[] as indicator_codes, x.value as observed, x.median as expected,
       x.peer_level, x.n_peers,
       round(x.value / x.median, case when x.value >= x.median then 1 else 6 end) as ratio, x.label
from x
where x.median > 0 and ({" or ".join(f"({c})" for c in conds)})
"""


@template("target_progress", period_kind="YYYYH1", min_progress=0.5)
def _target_progress(rule, catalog, p):
    """``marts.fct_target_progress`` rows of ``period_kind`` (H1 actual against the annual
    target) with progress below ``min_progress`` (a fraction). Only the selected target
    indicators. The source cell is the target's cell in the FPT submission. Placeholders:
    target, actual, progress_pct, target_code, actual_code."""
    suffix = p["period_kind"].replace("YYYY", "")
    return f"""
select t.period, t.area_code, a.area_name, null::varchar as township_code, i.form_code,
       c.file_path as source_file, c.sheet_name as source_sheet, c.cell as source_cell,
       [t.target_code, i.target_of]::varchar[] as indicator_codes,
       t.progress as observed, {float(p["min_progress"])!r} as expected,
       t.target, t.actual, round(100.0 * t.progress, 1) as progress_pct, t.target_code, i.target_of as actual_code
from marts.fct_target_progress t
join _dq_ind i on i.indicator_code = t.target_code
left join intermediate.int_area_years a on a.year = cast(left(t.period, 4) as integer) and a.area_code = t.area_code
left join (
    select * from _dq_cells
    qualify row_number() over (partition by period, area_code, indicator_code order by file_path, cell) = 1
) c on c.indicator_code = t.target_code and c.area_code = t.area_code and c.period = left(t.period, 4)
where t.period = left(t.period, 4) || {q(suffix)} and length(t.period) = {4 + len(suffix)}
  and t.target_code in {in_list(rule.indicators)}
  and t.progress is not null and t.progress < {float(p["min_progress"])!r} - {EPS}
"""
