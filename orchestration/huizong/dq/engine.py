"""Compile rule declarations to set-based DuckDB SQL and write ``marts.dq_issues``.

``run_rules(con)`` stages the inputs (the ``_dq_cells`` view, ``_dq_subs`` and ``_dq_ind`` temp tables),
compiles every declaration of ``expectations/rules/*.yml`` to one ``select`` producing the
issue columns, and replaces ``marts.dq_issues`` in one transaction. It owns every row whose
``rule_id`` does not start with ``gx.``; rows of the Great Expectations suites
(``huizong.dq.gx_suites.run_gx``) are kept as they are, so the two runners can run in either
order.

Relations (``relation:``) read ``intermediate.int_reported_cells`` pivoted to one row per form
row (``submission_id, row_number``) when all their indicators are on one form, or per
``(period, area_code, row_kind)`` when they span forms (``B04 + B05 = A02``). Rows that match
no area of the registry are not checked by relations (their numbers are published nowhere;
``completeness.unknown_area`` reports them). A relation with a NULL operand (column absent,
text that is not a number, a zero denominator) is not evaluated.

Message placeholders: every column of the rule's query (``{observed}``, ``{expected}``,
``{diff}``, ``{area_name}``, ``{area_code}``, ``{period}``, ``{form_code}``, ``{source_cell}``,
``{source_file}``, ``{source_sheet}`` and the template's own), for relations also each
indicator's value ``{A06}`` and cell ``{A06.cell}`` (``.file``, ``.sheet``), ``{values}``
(every operand with its cell), ``{parts}`` (the right-hand operands with their cells), and the
constants ``{rule_id}``, ``{relation}``, ``{lhs}``, ``{rhs}``, ``{tolerance}``. Numbers are
printed without trailing zeros (4 decimals at most).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import duckdb
from duckdb.sqltypes import BOOLEAN, VARCHAR

from huizong.catalog import Catalog, default_catalog
from huizong.dq import templates
from huizong.dq.declarations import RULES_DIR, DeclarationError, Rule, load_rules
from huizong.dq.relation import parse_relation
from huizong.dq.templates import array, in_list, q
from huizong.normalize import is_blank_marker

ISSUE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rule_id", "VARCHAR"),
    ("family", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("period", "VARCHAR"),
    ("area_code", "VARCHAR"),
    ("indicator_codes", "VARCHAR[]"),
    ("observed", "DOUBLE"),
    ("expected", "DOUBLE"),
    ("message", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("source_sheet", "VARCHAR"),
    ("source_cell", "VARCHAR"),
    ("form_code", "VARCHAR"),
    ("township_code", "VARCHAR"),
)
ISSUE_TABLE = "marts.dq_issues"
GX_PREFIX = "gx."
# What a rule's query must return (the rest of the issue columns come from the declaration).
_REQUIRED = ("period", "area_code", "area_name", "township_code", "form_code", "source_file", "source_sheet",
             "source_cell", "indicator_codes", "observed", "expected")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.(?:cell|file|sheet))?)\}")
_NUMERIC = re.compile(r"^(DOUBLE|FLOAT|REAL|DECIMAL.*|BIGINT|INTEGER|HUGEINT|SMALLINT|TINYINT|UBIGINT|UINTEGER)$")


class RuleError(RuntimeError):
    """A declaration could not be compiled or its query failed; names the rule."""


def issue_table_ddl(name: str = ISSUE_TABLE, temp: bool = False) -> str:
    cols = ", ".join(f"{c} {t}" for c, t in ISSUE_COLUMNS)
    return f"create {'temp ' if temp else ''}table {name} ({cols})"


# ----------------------------------------------------------------------------- staging


def _indicator_values(catalog: Catalog) -> str:
    rows = []
    for ind in catalog.indicators.values():
        rows.append(
            "(" + ", ".join(q(v) for v in (ind.code, ind.form_code, ind.label, ind.unit, ind.kind, ind.target_of)) + f", {ind.decimals})"
        )
    return ", ".join(rows)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f"describe {table}").fetchall()]


def stage(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """The temp tables, view and macro every rule reads (see ``huizong.dq.templates``)."""
    con.execute(
        f"""create or replace temp table _dq_ind as
            select * from (values {_indicator_values(catalog)})
                 as t(indicator_code, form_code, label, unit, kind, target_of, decimals)"""
    )
    # the contract's columns plus ours; a column the models may add under one of our names is
    # replaced by ours
    ours = ("kind", "unit", "label", "area_label")
    cells = [c for c in _columns(con, "intermediate.int_reported_cells") if c not in ours]
    # a view, not a copy: int_reported_cells is stored in indicator order, so a rule reading a
    # few indicators skips most of it, and no million-row copy takes the job's memory
    con.execute(
        f"""create or replace temp view _dq_cells as
           select {", ".join(f'c."{c}"' for c in cells)}, i.kind, i.unit, i.label,
                  coalesce(a.area_name, c.area_name) as area_label
           from intermediate.int_reported_cells c
           left join _dq_ind i on i.indicator_code = c.indicator_code
           left join intermediate.int_area_years a on a.year = c.year and a.area_code = c.area_code"""
    )
    subs = [c for c in _columns(con, "intermediate.int_submissions_resolved") if c != "year"]
    con.execute(
        f"""create or replace temp table _dq_subs as
           select {", ".join(f's."{c}"' for c in subs)}, cast(left(s.period, 4) as integer) as year
           from intermediate.int_submissions_resolved s"""
    )
    # what the reader counts as a blank marker (-, —, /, 无 ...), from the one place that says so
    _drop_function(con, "_dq_is_blank")
    try:
        con.create_function(
            "_dq_is_blank", lambda s: s is None or is_blank_marker(s), [VARCHAR], BOOLEAN, null_handling="special"
        )
    except duckdb.CatalogException:  # already there: another connection to this database registered it
        pass
    con.execute(
        r"""create or replace temp macro _dq_fmt(x) as
            case when x is null then '—'
                 when abs(x - round(x)) < 1e-9 and abs(x) < 1e15 then cast(cast(round(x) as hugeint) as varchar)
                 else regexp_replace(printf('%.4f', x), '0+$', '') end"""
    )


def _drop_function(con: duckdb.DuckDBPyConnection, name: str) -> None:
    try:
        con.remove_function(name)
    except Exception:  # noqa: BLE001 - not registered
        pass


def unstage(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("drop view if exists _dq_cells")
    for t in ("_dq_subs", "_dq_ind", "_dq_out", "_dq_keep", "_dq_rule"):
        con.execute(f"drop table if exists {t}")
    _drop_function(con, "_dq_is_blank")


# ----------------------------------------------------------------------------- relations


def compile_relation(rule: Rule, catalog: Catalog) -> str:
    """The query of a ``relation:`` declaration (issue columns + placeholders)."""
    rel = parse_relation(rule.relation.text, column=lambda c: f'w."{c}"')
    codes = rel.codes
    anchor = rule.anchor or codes[0]
    forms = {catalog.indicators[c].form_code for c in codes}
    one_form = len(forms) == 1
    keys = ("submission_id", "row_number") if one_form else ("period", "area_code", "row_kind")
    pivots = []
    for c in codes:
        f = f"filter (where indicator_code = {q(c)})"
        pivots += [
            f'max(value) {f} as "{c}"',
            f'min(cell) {f} as "{c}__cell"',
            f'min(file_path) {f} as "{c}__file"',
            f'min(sheet_name) {f} as "{c}__sheet"',
            f'min(form_code) {f} as "{c}__form"',
            f'min(township_code) {f} as "{c}__township"',
        ]
    common = [f"any_value({k}) as {k}" for k in ("period", "year", "area_code", "row_kind") if k not in keys]

    def where(c: str) -> str:
        cell = f"coalesce(e.\"{c}__cell\", '?')"
        return cell if one_form else f"coalesce(e.\"{c}__sheet\", '?') || '!' || {cell}"

    def described(cs) -> str:
        items = [f"{q(c + '=')} || _dq_fmt(e.\"{c}\") || ' (' || {where(c)} || ')'" for c in cs]
        return "concat_ws(', ', " + ", ".join(items) + ")" if items else "''"

    tol = rule.tolerance_for(anchor, catalog)
    not_null = " and ".join(f'e."{c}" is not null' for c in codes)
    value_cols = ", ".join(f'e."{c}", e."{c}__cell", e."{c}__file", e."{c}__sheet"' for c in codes)
    return f"""
with w as (
    select {", ".join(keys)}, {", ".join(common + ["any_value(area_label) as area_label"] + pivots)}
    from _dq_cells
    where indicator_code in {in_list(codes)} and row_kind in {in_list(rule.row_kinds)} and area_code is not null
    group by {", ".join(keys)}
), e as (
    select w.*, {rel.observed.sql} as _observed, {rel.expected_sql(tol)} as _expected,
           {rel.failure_sql(tol)} as _failed
    from w
)
select e.period, e.area_code, e.area_label as area_name, e."{anchor}__township" as township_code,
       e."{anchor}__form" as form_code, e."{anchor}__file" as source_file, e."{anchor}__sheet" as source_sheet,
       e."{anchor}__cell" as source_cell, {array(codes)} as indicator_codes,
       e._observed as observed, e._expected as expected, e._observed - e._expected as diff, e.row_kind,
       {described(codes)} as "values", {described(rel.rhs_codes)} as parts, {value_cols}
from e
where {not_null} and e._failed
"""


# ----------------------------------------------------------------------------- messages


def message_sql(rule: Rule, columns: dict[str, str], constants: dict[str, str], alias: str = "_r") -> str:
    """The declaration's message as a SQL expression over the rule query's columns."""
    parts, pos = [], 0
    text = rule.message
    for m in _PLACEHOLDER.finditer(text):
        if m.start() > pos:
            parts.append(q(text[pos : m.start()]))
        name = m.group(1)
        if name in constants:
            parts.append(q(constants[name]))
        else:
            col = name.replace(".", "__")
            if col not in columns:
                avail = sorted(set(constants) | {c.replace("__", ".") for c in columns})
                raise DeclarationError(f"{rule.source}: rule {rule.id}: unknown placeholder {{{name}}} (available: {', '.join(avail)})")
            typ = columns[col].upper()
            ref = f'{alias}."{col}"'
            if _NUMERIC.match(typ):
                parts.append(f"_dq_fmt({ref})")
            elif typ.endswith("[]"):
                parts.append(f"coalesce(array_to_string({ref}, ','), '')")
            else:
                parts.append(f"coalesce(cast({ref} as varchar), '—')")
        pos = m.end()
    if pos < len(text):
        parts.append(q(text[pos:]))
    return "concat(" + ", ".join(parts or ["''"]) + ")"


def _constants(rule: Rule) -> dict[str, str]:
    out = {"rule_id": rule.id, "family": rule.family, "severity": rule.severity}
    if rule.relation is not None:
        out.update(
            relation=rule.relation.text,
            lhs=rule.relation.observed.text,
            rhs=rule.relation.rhs_text,
            tolerance=f"{float(rule.tolerance):g}",
        )
    return out


def rule_query(rule: Rule, catalog: Catalog) -> str:
    """The declaration's own query (issue columns + placeholder columns), before messages."""
    if rule.relation is not None:
        return compile_relation(rule, catalog)
    return templates.build(rule, catalog)


def _wrap(rule: Rule, columns: dict[str, str], source: str) -> str:
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise RuleError(f"rule {rule.id}: its query lacks {missing}")
    msg = message_sql(rule, columns, _constants(rule))
    return f"""
select {q(rule.id)} as rule_id, {q(rule.family)} as family, {q(rule.severity)} as severity,
       cast(_r.period as varchar) as period, cast(_r.area_code as varchar) as area_code,
       cast(_r.indicator_codes as varchar[]) as indicator_codes,
       cast(_r.observed as double) as observed, cast(_r.expected as double) as expected,
       {msg} as message,
       cast(_r.source_file as varchar) as source_file, cast(_r.source_sheet as varchar) as source_sheet,
       cast(_r.source_cell as varchar) as source_cell, cast(_r.form_code as varchar) as form_code,
       cast(_r.township_code as varchar) as township_code
from {source} as _r
"""


def compile_rule(con: duckdb.DuckDBPyConnection, rule: Rule, catalog: Catalog) -> str:
    """A ``select`` producing exactly ``ISSUE_COLUMNS`` for one declaration (needs ``stage``)."""
    try:
        inner = rule_query(rule, catalog)
        described = con.execute(f"describe {inner}").fetchall()
    except DeclarationError:
        raise
    except Exception as exc:  # noqa: BLE001 - re-raised with the rule's name
        raise RuleError(f"rule {rule.id} ({rule.source}): cannot compile: {exc}") from exc
    return _wrap(rule, {row[0]: row[1] for row in described}, f"({inner})")


def _run_one(con: duckdb.DuckDBPyConnection, rule: Rule, catalog: Catalog) -> None:
    """Evaluate one declaration into ``_dq_out``: its query once into ``_dq_rule``, then the
    issue columns with the message over it."""
    try:
        inner = rule_query(rule, catalog)
        con.execute(f"create or replace temp table _dq_rule as {inner}")
        described = con.execute("describe _dq_rule").fetchall()
    except DeclarationError:
        raise
    except Exception as exc:  # noqa: BLE001 - re-raised with the rule's name
        raise RuleError(f"rule {rule.id} ({rule.source}): {exc}") from exc
    sql = _wrap(rule, {row[0]: row[1] for row in described}, "_dq_rule")
    try:
        con.execute(f"insert into _dq_out {sql}")
    except Exception as exc:  # noqa: BLE001
        raise RuleError(f"rule {rule.id} ({rule.source}): {exc}") from exc


# ----------------------------------------------------------------------------- run


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ? "
            "and table_catalog = current_database()",
            [schema, table],
        ).fetchone()[0]
    )


def replace_issues(con: duckdb.DuckDBPyConnection, keep_where: str) -> None:
    """``marts.dq_issues`` := ``_dq_out`` + the existing rows matching ``keep_where`` (inside the
    caller's transaction)."""
    con.execute("create schema if not exists marts")
    con.execute("drop table if exists _dq_keep")
    con.execute(issue_table_ddl("_dq_keep", temp=True))
    if _table_exists(con, "marts", "dq_issues"):
        cols = ", ".join(c for c, _ in ISSUE_COLUMNS)
        con.execute(f"insert into _dq_keep select {cols} from {ISSUE_TABLE} where {keep_where}")
    con.execute(f"drop table if exists {ISSUE_TABLE}")
    con.execute(issue_table_ddl())
    con.execute(
        f"""insert into {ISSUE_TABLE}
            select * from (select * from _dq_out union all select * from _dq_keep)
            order by case severity when 'error' then 0 else 1 end, family, rule_id, period, area_code, source_file, source_cell"""
    )


def run_rules(
    con: duckdb.DuckDBPyConnection,
    rules_dir: Path = RULES_DIR,
    catalog: Catalog | None = None,
    rules: list[Rule] | None = None,
    staged: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> int:
    """Run every declaration and replace the rule rows of ``marts.dq_issues`` (one
    transaction: on any failure the table is left as it was). Returns the number of issues
    the rules found. ``staged``: the caller has run ``stage`` (and will ``unstage``).
    ``progress(i, n, rule_id)`` is called after each rule."""
    catalog = catalog or default_catalog()
    rules = rules if rules is not None else load_rules(Path(rules_dir), catalog)
    con.execute("begin transaction")
    try:
        if not staged:
            stage(con, catalog)
        con.execute("drop table if exists _dq_out")
        con.execute(issue_table_ddl("_dq_out", temp=True))
        for i, rule in enumerate(rules, 1):
            _run_one(con, rule, catalog)
            if progress is not None:
                progress(i, len(rules), rule.id)
        n = con.execute("select count(*) from _dq_out").fetchone()[0]
        replace_issues(con, f"starts_with(rule_id, {q(GX_PREFIX)})")
        if not staged:
            unstage(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return int(n)


def explain(con: duckdb.DuckDBPyConnection, rule_id: str, rules_dir: Path = RULES_DIR) -> str:
    """The SQL a declaration compiles to (for reading and debugging; stages the inputs)."""
    catalog = default_catalog()
    rule = next(r for r in load_rules(Path(rules_dir), catalog) if r.id == rule_id)
    stage(con, catalog)
    return compile_rule(con, rule, catalog)
