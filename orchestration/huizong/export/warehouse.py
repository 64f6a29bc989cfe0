"""What the exports read from the warehouse, in one pass: areas, facts, target progress,
submissions (for 制定机关 and 报出日期) and data-quality findings.

Only ``marts.*`` (and ``raw.submissions`` / ``raw.files`` for dates and issuers) are read;
nothing here writes.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from huizong.duck import column_or_null, table_columns

from huizong.export.text import PERIOD_RE


@dataclass(frozen=True)
class AreaSpan:
    code: str
    name: str
    level: str
    parent_code: str | None
    valid_from: int | None
    valid_to: int | None

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (self.valid_to is None or year <= self.valid_to)


@dataclass(frozen=True)
class Submission:
    form_code: str
    period: str
    reporter_code: str
    report_date: date | None
    issuer: str | None


@dataclass(frozen=True)
class Finding:
    rule_id: str
    family: str
    severity: str
    period: str | None
    area_code: str | None
    indicator_codes: tuple[str, ...]
    form_code: str | None
    observed: str
    expected: str

    @property
    def is_error(self) -> bool:
        return (self.severity or "").strip().lower() == "error"


@dataclass(frozen=True)
class Progress:
    target: float | None
    actual: float | None
    progress: float | None


@dataclass
class Snapshot:
    spans: dict[str, list[AreaSpan]]
    # (period, indicator) -> {area_code: value}
    facts: dict[str, dict[str, dict[str, float | None]]]
    # period -> area_code -> target_code -> Progress
    progress: dict[str, dict[str, dict[str, Progress]]]
    submissions: list[Submission]
    findings: list[Finding]
    loaded_on: date | None = None
    _children: dict[str, list[AreaSpan]] = field(default_factory=dict, repr=False)
    _ancestors: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _areas_at: dict[tuple[str, int], list[AreaSpan]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        children: dict[str, list[AreaSpan]] = defaultdict(list)
        for spans in self.spans.values():
            for s in spans:
                if s.parent_code:
                    children[s.parent_code].append(s)
        self._children = dict(children)

    def area(self, code: str, year: int) -> AreaSpan | None:
        for s in self.spans.get(code, ()):
            if s.valid_in(year):
                return s
        return None

    def areas_at(self, level: str, year: int) -> list[AreaSpan]:
        if (level, year) not in self._areas_at:
            self._areas_at[(level, year)] = sorted(
                (s for spans in self.spans.values() for s in spans if s.level == level and s.valid_in(year)),
                key=lambda s: s.code,
            )
        return list(self._areas_at[(level, year)])

    def children(self, code: str, year: int) -> list[AreaSpan]:
        """The areas directly under ``code`` valid in ``year``, by code."""
        return sorted((s for s in self._children.get(code, ()) if s.valid_in(year)), key=lambda s: s.code)

    def ancestors(self, code: str) -> frozenset[str]:
        """Every area above ``code``: the registry's parent chain over all validity spans,
        and, as a fallback for codes the registry does not know, the prefixes the 12-digit
        code structure implies (2/4/6/9 digits)."""
        if code in self._ancestors:
            return self._ancestors[code]
        found: set[str] = set()
        todo = [code]
        while todo:
            for s in self.spans.get(todo.pop(), ()):
                if s.parent_code and s.parent_code not in found:
                    found.add(s.parent_code)
                    todo.append(s.parent_code)
        if len(code) == 12 and code.isdigit():
            for n in (2, 4, 6, 9):
                prefix = code[:n].ljust(12, "0")
                if prefix != code:
                    found.add(prefix)
        self._ancestors[code] = frozenset(found)
        return self._ancestors[code]

    def roots(self) -> list[AreaSpan]:
        return sorted((s for spans in self.spans.values() for s in spans if not s.parent_code), key=lambda s: s.code)

    def issuer(self, form_codes: tuple[str, ...]) -> str | None:
        """制定机关 of a form as the townships write it: the most frequent text over all its
        submissions (whitespace removed; ties broken alphabetically, so it is deterministic)."""
        counts = Counter(
            "".join(s.issuer.split()) for s in self.submissions if s.form_code in form_codes and s.issuer and s.issuer.strip()
        )
        if not counts:
            return None
        return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]




# -- the reads: each source's SQL is built once, so the loader and the signature read the same rows

def _area_sql(con: duckdb.DuckDBPyConnection) -> str | None:
    cols = table_columns(con, "marts", "dim_area")
    if not cols:
        return None
    return f"""select area_code, area_name, area_level, nullif(parent_code, ''),
                      {column_or_null(cols, 'valid_from', 'integer')}, {column_or_null(cols, 'valid_to', 'integer')}
               from marts.dim_area order by area_code, valid_from nulls first"""


def _facts_sql(fact_levels: tuple[str, ...] | None) -> str:
    where = ""
    if fact_levels is not None:
        # only the figures a table can show: of an area at one of these levels, or directly under one
        levels = ", ".join("'" + level.replace("'", "''") + "'" for level in fact_levels)
        where = f"""where area_code in (
            with pub as (select area_code from marts.dim_area where area_level in ({levels}))
            select area_code from pub
            union select area_code from marts.dim_area where parent_code in (select area_code from pub))"""
    return f"select period, indicator_code, area_code, value from marts.fct_area_indicator {where} order by 1, 2, 3"


def _progress_sql(con: duckdb.DuckDBPyConnection) -> str | None:
    if not table_columns(con, "marts", "fct_target_progress"):
        return None
    return ("select period, area_code, target_code, target, actual, progress from marts.fct_target_progress"
            " order by 1, 2, 3")


def _submissions_sql(con: duckdb.DuckDBPyConnection) -> str | None:
    """Active submissions when dbt has resolved them (superseded and conflicting ones fed no
    table), otherwise every submission the reader stored."""
    resolved = table_columns(con, "intermediate", "int_submissions_resolved")
    if {"form_code", "period", "reporter_code", "report_date", "resolution"} <= resolved:
        source = "intermediate.int_submissions_resolved where resolution = 'active'"
        cols = resolved
    else:
        cols = table_columns(con, "raw", "submissions")
        if not cols:
            return None
        source = "raw.submissions"
    return f"""select form_code, period, reporter_code, cast(report_date as date), {column_or_null(cols, 'issuer')}
               from {source} order by 1, 2, 3, 4"""


def _findings_sql(con: duckdb.DuckDBPyConnection) -> str | None:
    cols = table_columns(con, "marts", "dq_issues")
    if not cols:
        return None
    area = "coalesce(area_code, township_code)" if "township_code" in cols else "area_code"
    return f"""select rule_id, family, severity, period, {area}, indicator_codes,
                      {column_or_null(cols, 'form_code')}, cast(observed as varchar), cast(expected as varchar)
               from marts.dq_issues"""


def _loaded_on_sql(con: duckdb.DuckDBPyConnection) -> str | None:
    if "read_at" not in table_columns(con, "raw", "files"):
        return None
    return "select max(read_at) from raw.files"


def _reads(con: duckdb.DuckDBPyConnection, fact_levels: tuple[str, ...] | None) -> dict[str, str | None]:
    """Every query of a snapshot, by name; None where its table is missing."""
    return {
        "areas": _area_sql(con),
        "facts": _facts_sql(fact_levels) if table_columns(con, "marts", "fct_area_indicator") else None,
        "progress": _progress_sql(con),
        "submissions": _submissions_sql(con),
        "findings": _findings_sql(con),
        "loaded_on": _loaded_on_sql(con),
    }


# -- turning rows into the snapshot ------------------------------------------------------------

def _area_spans(con: duckdb.DuckDBPyConnection, sql: str | None) -> dict[str, list[AreaSpan]]:
    if sql is None:
        raise RuntimeError("marts.dim_area is missing: build the marts before exporting")
    spans: dict[str, list[AreaSpan]] = defaultdict(list)
    for code, name, level, parent, vf, vt in con.execute(sql).fetchall():
        spans[code].append(AreaSpan(code, name, level, parent, vf, vt))
    return dict(spans)


def _facts(con: duckdb.DuckDBPyConnection, sql: str | None) -> dict[str, dict[str, dict[str, float | None]]]:
    if sql is None:
        raise RuntimeError("marts.fct_area_indicator is missing: build the marts before exporting")
    facts: dict[str, dict[str, dict[str, float | None]]] = defaultdict(lambda: defaultdict(dict))
    for period, ind, area, value in con.execute(sql).fetchall():
        if period and PERIOD_RE.match(period):
            facts[period][ind][area] = value
    return {p: dict(v) for p, v in facts.items()}


def _progress(con: duckdb.DuckDBPyConnection, sql: str | None) -> dict[str, dict[str, dict[str, Progress]]]:
    if sql is None:
        return {}
    out: dict[str, dict[str, dict[str, Progress]]] = defaultdict(lambda: defaultdict(dict))
    for period, area, code, target, actual, progress in con.execute(sql).fetchall():
        if period and PERIOD_RE.match(period):
            out[period][area][code] = Progress(target, actual, progress)
    return {p: dict(v) for p, v in out.items()}


def _submissions(con: duckdb.DuckDBPyConnection, sql: str | None) -> list[Submission]:
    if sql is None:
        return []
    return [Submission(*r) for r in con.execute(sql).fetchall()]


def _findings(con: duckdb.DuckDBPyConnection, sql: str | None) -> list[Finding]:
    if sql is None:
        # Fail closed: without the findings nothing can be shown to pass the gate.
        raise RuntimeError("marts.dq_issues is missing: run the checks before exporting")
    out = []
    for rule_id, family, severity, period, area_code, inds, form_code, observed, expected in con.execute(sql).fetchall():
        out.append(
            Finding(
                rule_id=rule_id or "", family=family or "", severity=severity or "", period=period,
                area_code=area_code, indicator_codes=tuple(sorted(i for i in (inds or ()) if i)),
                form_code=form_code, observed=observed or "", expected=expected or "",
            )
        )
    out.sort(key=lambda f: (f.period or "", f.area_code or "", f.rule_id, f.indicator_codes, f.observed, f.expected))
    return out


def _loaded_on(con: duckdb.DuckDBPyConnection, sql: str | None) -> date | None:
    """The day the warehouse last read an inbox file: the stand-in 报出日期 for a table no
    submission fed, fixed for a given warehouse."""
    if sql is None:
        return None
    value = con.execute(sql).fetchone()[0]
    if isinstance(value, datetime):
        return value.date()
    return value


def load_snapshot(con: duckdb.DuckDBPyConnection, fact_levels: tuple[str, ...] | None = None) -> Snapshot:
    """The warehouse as the exports see it. With ``fact_levels``, only the figures of areas at
    those levels and of the areas directly under them are read (the rows of every official
    table; in a province the villages are nine tenths of the mart and in no table)."""
    sql = _reads(con, fact_levels)
    return Snapshot(
        spans=_area_spans(con, sql["areas"]),
        facts=_facts(con, sql["facts"]),
        progress=_progress(con, sql["progress"]),
        submissions=_submissions(con, sql["submissions"]),
        findings=_findings(con, sql["findings"]),
        loaded_on=_loaded_on(con, sql["loaded_on"]),
    )


def snapshot_signature(con: duckdb.DuckDBPyConnection, fact_levels: tuple[str, ...] | None = None) -> str:
    """A digest of exactly what ``load_snapshot`` would read (each query's text, row count and
    the sum of its rows' hashes), computed in DuckDB without fetching the rows: equal
    signatures mean an equal snapshot, so work done on one can be reused for the other."""
    h = hashlib.sha256()
    for name, sql in _reads(con, fact_levels).items():
        h.update(f"{name}\0{sql}\0".encode())
        if sql is not None:
            n, total = con.execute(f"select count(*), sum(hash(q)) from ({sql}) q").fetchone()
            h.update(f"{n}:{total}\0".encode())
    return h.hexdigest()
