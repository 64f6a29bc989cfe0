"""What the exports read from the warehouse, in one pass: areas, facts, target progress,
submissions (for 制定机关 and 报出日期) and data-quality findings.

Only ``marts.*`` (and ``raw.submissions`` / ``raw.files`` for dates and issuers) are read;
nothing here writes.
"""

from __future__ import annotations

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
        return sorted(
            (s for spans in self.spans.values() for s in spans if s.level == level and s.valid_in(year)),
            key=lambda s: s.code,
        )

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




def _area_spans(con: duckdb.DuckDBPyConnection) -> dict[str, list[AreaSpan]]:
    cols = table_columns(con, "marts", "dim_area")
    if not cols:
        raise RuntimeError("marts.dim_area is missing: build the marts before exporting")
    rows = con.execute(
        f"""select area_code, area_name, area_level, nullif(parent_code, ''),
                   {column_or_null(cols, 'valid_from', 'integer')}, {column_or_null(cols, 'valid_to', 'integer')}
            from marts.dim_area order by area_code, valid_from nulls first"""
    ).fetchall()
    spans: dict[str, list[AreaSpan]] = defaultdict(list)
    for code, name, level, parent, vf, vt in rows:
        spans[code].append(AreaSpan(code, name, level, parent, vf, vt))
    return dict(spans)


def _facts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, dict[str, float | None]]]:
    facts: dict[str, dict[str, dict[str, float | None]]] = defaultdict(lambda: defaultdict(dict))
    rows = con.execute(
        "select period, indicator_code, area_code, value from marts.fct_area_indicator order by 1, 2, 3"
    ).fetchall()
    for period, ind, area, value in rows:
        if period and PERIOD_RE.match(period):
            facts[period][ind][area] = value
    return {p: dict(v) for p, v in facts.items()}


def _progress(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, dict[str, Progress]]]:
    if not table_columns(con, "marts", "fct_target_progress"):
        return {}
    out: dict[str, dict[str, dict[str, Progress]]] = defaultdict(lambda: defaultdict(dict))
    rows = con.execute(
        "select period, area_code, target_code, target, actual, progress from marts.fct_target_progress order by 1, 2, 3"
    ).fetchall()
    for period, area, code, target, actual, progress in rows:
        if period and PERIOD_RE.match(period):
            out[period][area][code] = Progress(target, actual, progress)
    return {p: dict(v) for p, v in out.items()}


def _submissions(con: duckdb.DuckDBPyConnection) -> list[Submission]:
    """Active submissions when dbt has resolved them (superseded and conflicting ones fed no
    table), otherwise every submission the reader stored."""
    resolved = table_columns(con, "intermediate", "int_submissions_resolved")
    if {"form_code", "period", "reporter_code", "report_date", "resolution"} <= resolved:
        source = "intermediate.int_submissions_resolved where resolution = 'active'"
        cols = resolved
    else:
        cols = table_columns(con, "raw", "submissions")
        if not cols:
            return []
        source = "raw.submissions"
    rows = con.execute(
        f"""select form_code, period, reporter_code, cast(report_date as date), {column_or_null(cols, 'issuer')}
            from {source} order by 1, 2, 3, 4"""
    ).fetchall()
    return [Submission(*r) for r in rows]


def _findings(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    cols = table_columns(con, "marts", "dq_issues")
    if not cols:
        # Fail closed: without the findings nothing can be shown to pass the gate.
        raise RuntimeError("marts.dq_issues is missing: run the checks before exporting")
    area = "coalesce(area_code, township_code)" if "township_code" in cols else "area_code"
    rows = con.execute(
        f"""select rule_id, family, severity, period, {area}, indicator_codes,
                   {column_or_null(cols, 'form_code')}, cast(observed as varchar), cast(expected as varchar)
            from marts.dq_issues"""
    ).fetchall()
    out = []
    for rule_id, family, severity, period, area_code, inds, form_code, observed, expected in rows:
        out.append(
            Finding(
                rule_id=rule_id or "", family=family or "", severity=severity or "", period=period,
                area_code=area_code, indicator_codes=tuple(sorted(i for i in (inds or ()) if i)),
                form_code=form_code, observed=observed or "", expected=expected or "",
            )
        )
    out.sort(key=lambda f: (f.period or "", f.area_code or "", f.rule_id, f.indicator_codes, f.observed, f.expected))
    return out


def _loaded_on(con: duckdb.DuckDBPyConnection) -> date | None:
    """The day the warehouse last read an inbox file: the stand-in 报出日期 for a table no
    submission fed, fixed for a given warehouse."""
    if "read_at" not in table_columns(con, "raw", "files"):
        return None
    value = con.execute("select max(read_at) from raw.files").fetchone()[0]
    if isinstance(value, datetime):
        return value.date()
    return value


def load_snapshot(con: duckdb.DuckDBPyConnection) -> Snapshot:
    return Snapshot(
        spans=_area_spans(con),
        facts=_facts(con),
        progress=_progress(con),
        submissions=_submissions(con),
        findings=_findings(con),
        loaded_on=_loaded_on(con),
    )
