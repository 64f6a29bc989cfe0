"""Which official tables exist and what is in them, from the warehouse snapshot and the
catalog; no layout, no files.

- Forms FP1..FP4: for every period and form present in ``marts.fct_area_indicator``, one table
  per county, city and province valid in the period's year that has any figure for that form
  and period (its own or one of its areas'). Rows: ``合计`` (the publishing area's own value
  from the mart) first, then the areas directly under it valid in that year, by code.
- FPT (targets): for every period of ``marts.fct_target_progress`` (``YYYY``, ``YYYYH1``), one
  table per county and city with progress rows: targets, actuals, progress in %, and at H1
  the 双过半 mark (progress >= 50%) per target. A city's rows are its counties; a county's
  table has its 合计 row only (targets are set per county).

Each table also lists the *numbers* it contains, as (period, form, indicator) triples, so
the gate can tell which findings touch it, and the (form, period) submissions that fed it,
for its 报出日期.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from huizong.catalog import Catalog, Form, Indicator
from huizong.export.text import PERIOD_RE, period_in_words, period_year
from huizong.export.warehouse import AreaSpan, Snapshot

FORM_TABLES = ("FP1", "FP2", "FP3", "FP4")
TARGET_FORM = "FPT"
PUBLISHING_LEVELS = ("county", "city", "province")
TARGET_LEVELS = ("county", "city")
TOTAL_NAME = "合计"
HALF_MARK = "双过半"
HALF_THRESHOLD = 0.5
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # single-level label, or the leaf under ``group``
    group: str
    unit: str
    decimals: int
    text: bool = False


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    values: dict[str, float | str | None]
    total: bool = False


@dataclass
class OfficialTable:
    period: str
    form_code: str
    area_code: str
    area_name: str
    area_level: str
    title: str
    table_no: str
    issuer: str
    unit_note: str
    columns: list[Column]
    rows: list[Row]
    report_date: date
    numbers: frozenset[tuple[str, str, str]] = field(default=frozenset(), repr=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.period, self.form_code, self.area_code)

    @property
    def stem(self) -> str:
        return f"{self.form_code}_{self.area_code}"

    @property
    def period_text(self) -> str:
        return period_in_words(self.period)


def _period_kind(period: str) -> str:
    return "YYYY" + period[4:]


def fed_periods(form: Form, period: str) -> tuple[str, ...]:
    """The reported periods a form's figures for ``period`` come from: itself, and for an
    annual figure the form is not reported for (FP4), the two halves it is summed from."""
    if _period_kind(period) in form.periods or len(period) != 4:
        return (period,)
    return (period, f"{period}H1", f"{period}H2")


def _unit(ind: Indicator) -> str:
    # Above a village a flag is the number of villages flagged 是: a count, in 个.
    return "个" if ind.kind == "flag" else ind.unit


def _issuer(snap: Snapshot, form: Form) -> str:
    found = snap.issuer((form.code,))
    if found:
        return found
    roots = snap.roots()
    return (roots[0].name if roots else "") + form.issuer_suffix


class _Builder:
    def __init__(self, snap: Snapshot, catalog: Catalog, fallback_date: date):
        self.snap = snap
        self.catalog = catalog
        self.fallback_date = snap.loaded_on or fallback_date
        self._issuers: dict[str, str] = {}
        # per (form, period): the latest report_date of each reporter, and of each area over
        # the reporters at or below it (so a table's date is a few lookups, not a scan)
        self._by_reporter: dict[tuple[str, str], dict[str, date]] = {}
        for s in snap.submissions:
            if s.report_date is None:
                continue
            latest = self._by_reporter.setdefault((s.form_code, s.period), {})
            if s.reporter_code not in latest or latest[s.reporter_code] < s.report_date:
                latest[s.reporter_code] = s.report_date
        self._at_or_below: dict[tuple[str, str], dict[str, date]] = {}
        for key, latest in self._by_reporter.items():
            below: dict[str, date] = {}
            for reporter, d in latest.items():
                for code in (reporter, *snap.ancestors(reporter)):
                    if code not in below or below[code] < d:
                        below[code] = d
            self._at_or_below[key] = below

    def issuer(self, form: Form) -> str:
        if form.code not in self._issuers:
            self._issuers[form.code] = _issuer(self.snap, form)
        return self._issuers[form.code]

    def report_date(self, area_code: str, sources: set[tuple[str, str]], from_above: set[tuple[str, str]]) -> date:
        """Latest 报出日期 of the submissions that fed a table: those of its (form, period)
        sources reported by the area itself or an area below it (and, for ``from_above``,
        by an area above it: the city's target workbook feeds a county's progress table)."""
        dates = [self._at_or_below[k][area_code] for k in sources if area_code in self._at_or_below.get(k, {})]
        if from_above:
            above = (area_code, *self.snap.ancestors(area_code))
            for k in from_above:
                latest = self._by_reporter.get(k, {})
                dates += [latest[c] for c in above if c in latest]
        return max(dates) if dates else self.fallback_date

    # -- forms FP1..FP4 ------------------------------------------------------------------
    def form_tables(self) -> list[OfficialTable]:
        tables = []
        for period in sorted(self.snap.facts):
            by_indicator = self.snap.facts[period]
            for form_code in FORM_TABLES:
                form = self.catalog.forms.get(form_code)
                if form is None or not any(i.code in by_indicator for i in form.indicators):
                    continue
                tables.extend(self._form_tables(form, period, by_indicator))
        return tables

    def _form_tables(self, form: Form, period: str, by_indicator: dict[str, dict[str, float | None]]) -> list[OfficialTable]:
        year = period_year(period)
        columns = [
            Column(key=i.code, label=i.leaf_label or i.label, group=i.group_label if i.leaf_label else "",
                   unit=_unit(i), decimals=i.decimals)
            for i in form.indicators
        ]
        periods = fed_periods(form, period)
        numbers = frozenset((p, form.code, i.code) for p in periods for i in form.indicators)
        sources = {(form.code, p) for p in periods}
        tables = []
        for level in PUBLISHING_LEVELS:
            for area in self.snap.areas_at(level, year):
                members = [area, *self.snap.children(area.code, year)]
                if not any(m.code in by_indicator.get(c.key, {}) for m in members for c in columns):
                    continue
                rows = [
                    Row(code=m.code, name=TOTAL_NAME if n == 0 else m.name, total=n == 0,
                        values={c.key: by_indicator.get(c.key, {}).get(m.code) for c in columns})
                    for n, m in enumerate(members)
                ]
                tables.append(self._table(form, form.title, period, area, columns, rows, numbers,
                                          self.report_date(area.code, sources, set())))
        return tables

    # -- FPT progress --------------------------------------------------------------------
    def target_tables(self) -> list[OfficialTable]:
        form = self.catalog.forms.get(TARGET_FORM)
        if form is None:
            return []
        tables = []
        for period in sorted(self.snap.progress):
            m = PERIOD_RE.match(period)
            if not m or m.group(2) == "H2":
                continue
            tables.extend(self._target_tables(form, period, self.snap.progress[period]))
        return tables

    def _target_tables(self, form: Form, period: str, progress) -> list[OfficialTable]:
        year = period_year(period)
        annual = str(year)
        at_half = period != annual
        columns: list[Column] = []
        numbers: set[tuple[str, str, str]] = set()
        sources: set[tuple[str, str]] = set()
        for t in form.indicators:
            actual = self.catalog.indicators.get(t.target_of)
            columns.append(Column(f"{t.code}.target", "目标", t.label, t.unit, t.decimals))
            columns.append(Column(f"{t.code}.actual", "完成", t.label, actual.unit if actual else t.unit,
                                  actual.decimals if actual else t.decimals))
            columns.append(Column(f"{t.code}.progress", "进度", t.label, "%", 2))
            if at_half:
                columns.append(Column(f"{t.code}.half", HALF_MARK, t.label, "", 0, text=True))
            numbers.add((annual, form.code, t.code))
            if actual:
                numbers.add((period, actual.form_code, actual.code))
                sources.add((actual.form_code, period))
        target_sources = {(form.code, annual)}

        def values(code: str) -> dict[str, float | str | None]:
            out: dict[str, float | str | None] = {}
            for t in form.indicators:
                p = progress.get(code, {}).get(t.code)
                out[f"{t.code}.target"] = p.target if p else None
                out[f"{t.code}.actual"] = p.actual if p else None
                # The mart's progress is actual / target; published in % like every ratio.
                out[f"{t.code}.progress"] = 100 * p.progress if p and p.progress is not None else None
                if at_half:
                    out[f"{t.code}.half"] = (
                        None if not p or p.progress is None else (YES if p.progress >= HALF_THRESHOLD else NO)
                    )
            return out

        tables = []
        for level in TARGET_LEVELS:
            for area in self.snap.areas_at(level, year):
                members = [c for c in self.snap.children(area.code, year) if c.code in progress]
                if area.code not in progress and not members:
                    continue
                rows = [Row(area.code, TOTAL_NAME, values(area.code), total=True)]
                rows += [Row(c.code, c.name, values(c.code)) for c in members]
                tables.append(self._table(form, f"{form.title}完成情况", period, area, columns, rows,
                                          frozenset(numbers),
                                          self.report_date(area.code, sources | target_sources, target_sources)))
        return tables

    def _table(self, form: Form, title: str, period: str, area: AreaSpan, columns, rows, numbers, report_date) -> OfficialTable:
        return OfficialTable(
            period=period, form_code=form.code, area_code=area.code, area_name=area.name, area_level=area.level,
            title=title, table_no=form.table_no, issuer=self.issuer(form), unit_note=form.unit_note,
            columns=list(columns), rows=rows, report_date=report_date, numbers=numbers,
        )


def build_tables(snap: Snapshot, catalog: Catalog, fallback_date: date | None = None) -> list[OfficialTable]:
    """Every official table the warehouse holds, in (period, form, area) order.

    ``fallback_date`` is the 报出日期 of a table no submission fed when the warehouse cannot
    say when it was loaded (no ``raw.files``); it defaults to today."""
    builder = _Builder(snap, catalog, fallback_date or date.today())
    tables = builder.form_tables() + builder.target_tables()
    tables.sort(key=lambda t: t.key)
    return tables
