"""Laying out one form as a township would fill it: the header block, a one- or two-level
column header, village rows, the 合计 row and the footer, in any of the variations of
FORMS.md §4.

``render_sheet`` turns a :class:`SheetSpec` (what to say) into a :class:`Rendered` grid (how
it is said) with a seeded generator: the same spec and seed always give the same grid. The
variations a sheet uses are returned with it (``Rendered.used``), so the generator can prove
that every variation occurs somewhere. ``force`` makes a variation happen on this sheet.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from huizong.catalog import Indicator, default_catalog
from huizong.demo.names import HELPERS, PERSONS, to_traditional

# Every variation a generated inbox carries, with what it looks like.
VARIATIONS: dict[str, str] = {
    "col_shuffle": "indicator columns in another order than the template",
    "extra_cols": "extra columns that match no indicator (帮扶单位, 备注, 通电户数, ...)",
    "spacer_rows": "blank spacer rows in the header block and between village rows",
    "spacer_cols": "blank spacer columns",
    "merged_title": "title merged across the table width",
    "two_level_merged": "two-level header with merged group cells (xlsx)",
    "two_level_csv": "two-level header in a CSV (group label over empty cells)",
    "one_level": "one header row with full labels",
    "alias_labels": "header labels from the catalog aliases (人均耕地面积, 公路总里程, ...)",
    "label_units": "labels carrying their unit: 总人口(人)",
    "label_units_fullwidth": "labels carrying their unit in full-width parentheses: 总人口（人）",
    "label_spaces": "labels with spaces inside (总 人 口, 总\u3000户\u3000数) and around",
    "label_linebreaks": "labels with line breaks inside",
    "fullwidth_colons": "full-width colons in 表号：/填报单位：/计量单位：",
    "traditional_labels": "traditional characters in title, labels and header (貧困, 戶數)",
    "traditional_names": "village and township names in traditional characters",
    "num_text": "numbers stored as text in an xlsx",
    "num_thousands": "numbers with thousands separators (1,498)",
    "num_fullwidth": "numbers in full-width digits (１４９８)",
    "num_trailing_unit": "numbers with a trailing unit (1498人)",
    "num_padded": "numbers with leading/trailing spaces",
    "pct_text": "percentages as text 76.4%",
    "pct_plain": "percentages as the number 76.4",
    "pct_fraction_format": "percentages as the fraction 0.764 in a cell with a percent format",
    "formula_totals": "formulas in the 合计 row, saved with their cached values",
    "blank_empty": "zero written as an empty cell",
    "blank_dash": "zero written as -",
    "blank_emdash": "zero written as —",
    "blank_slash": "zero written as /",
    "blank_wu": "zero written as 无",
    "flag_shifou": "flag column as 是/否",
    "flag_yn": "flag column as Y/N",
    "flag_10": "flag column as 1/0",
    "yuan_sheet": "FP3 amounts in 元 declared by 计量单位:元",
    "yuan_header": "FP3 amounts in 元 declared by a header like 计划总投资(元)",
    "land_hectare_sheet": "FP1 land in 公顷 declared by 计量单位",
    "land_hectare_header": "FP1 land in 公顷 declared by the header 耕地面积(公顷)",
    "village_code": "villages identified by their 12-digit code (区划代码 column)",
    "village_code_numeric": "区划代码 stored as a number",
    "village_nosuffix": "village names without 村/社区",
    "village_alias": "village written by a registry alias",
    "date_footer_text": "报出日期 in the footer text",
    "date_cell": "报出日期 as a date cell beside its label",
    "sheet_without_date": "a sheet without 报出日期 in a workbook whose other sheets carry it",
    "total_above": "合计 row above the villages",
    "total_below": "合计 row below the villages",
    "total_none": "no 合计 row",
    "total_label_variant": "总计 / 合  计 instead of 合计",
    "total_with_code": "the 合计 row carries the township's code",
    "unit_county_prefix": "填报单位 as county + township name",
    "unit_code9": "填报单位 as township name (9-digit code)",
    "unit_code12": "填报单位 as township name (12-digit code)",
    "unit_name_only": "填报单位 as the township name alone",
    "unit_from_total_code": "no 填报单位: the township is known from the 合计 row's code",
    "header_one_cell": "表号, 制定机关, 有效期至 (and 填报单位, period, 计量单位) joined in one cell",
    "header_separate_cells": "表号, 制定机关, 有效期至 in separate cells",
    "period_own_row": "period on its own row",
    "period_in_unit_row": "period in the 填报单位 row",
    "period_in_title_only": "period only in the title (2018年上半年贫困人口基本情况)",
    "column_number_row": "column-number row 甲 乙 1 2 3 ...",
    "serial_col": "序号 column",
    "name_label_variant": "name column labelled 单位名称 / 村(社区)名称 instead of 村名称",
    "no_unit_decl": "no 计量单位 line",
    "leading_blank_row": "a blank row above the title",
    # file level
    "csv_utf8": "CSV in UTF-8",
    "csv_utf8_bom": "CSV in UTF-8 with BOM",
    "csv_gbk": "CSV in GBK",
    "xlsx_multi_form": "several forms in one workbook",
    "xlsx_single_form": "one form per workbook",
    "nonform_sheets": "non-form sheets (填表说明, empty) beside the forms",
    "misleading_name": "a file name that names another township or form",
    # special files
    "lock_file": "Excel lock file ~$x.xlsx",
    "readme": "README.txt and other non-spreadsheet files",
    "corrupt_xlsx": "truncated xlsx",
    "encrypted_ole": "encrypted-looking OLE file under an .xlsx name",
    "no_known_form": "workbook with no known form (a roster; only 填表说明)",
    "unknown_township": "submission from a township not in the registry",
    "no_period": "form sheet without a period",
    "superseded": "corrected resubmission (later 报出日期) and the one it replaces",
    "conflict": "two submissions with the same 报出日期 and different numbers",
    "fpt_targets": "city target workbook (扶贫T表)",
}

EXCLUSIVE = (
    ("two_level_merged", "two_level_csv", "one_level"),
    ("pct_text", "pct_plain", "pct_fraction_format"),
    ("flag_shifou", "flag_yn", "flag_10"),
    ("total_above", "total_below", "total_none"),
    ("unit_county_prefix", "unit_code9", "unit_code12", "unit_name_only", "unit_from_total_code"),
    ("period_own_row", "period_in_unit_row", "period_in_title_only"),
    ("header_one_cell", "header_separate_cells"),
    ("date_footer_text", "date_cell"),
    ("yuan_sheet", "yuan_header"),
    ("land_hectare_sheet", "land_hectare_header"),
    ("label_units", "label_units_fullwidth"),
    ("no_unit_decl", "yuan_sheet", "land_hectare_sheet"),
)
_XLSX_ONLY = {"merged_title", "two_level_merged", "pct_fraction_format", "formula_totals", "num_text", "village_code_numeric"}
_CSV_ONLY = {"two_level_csv"}
SHEET_VARIATIONS = tuple(
    k for k in VARIATIONS
    if k not in {"csv_utf8", "csv_utf8_bom", "csv_gbk", "xlsx_multi_form", "xlsx_single_form", "nonform_sheets",
                 "misleading_name", "lock_file", "readme", "corrupt_xlsx", "encrypted_ole", "no_known_form",
                 "unknown_township", "no_period", "superseded", "conflict", "fpt_targets", "sheet_without_date"}
)


@dataclass
class XCell:
    """A cell with a number format and/or a formula (the value is the cached value)."""

    value: Any
    number_format: str | None = None
    formula: str | None = None


@dataclass
class RowSpec:
    kind: str  # village | unknown
    code: str
    name: str
    alias: str = ""
    values: dict | None = None  # None: the village did not report (all blank)


@dataclass
class SheetSpec:
    form: str
    period: str
    town_code: str
    town_name: str
    county_name: str
    issuer: str  # 制定机关
    rows: list[RowSpec]
    total: dict | None
    report_date: dt.date | None
    seed: str
    container: str  # xlsx | csv
    force: frozenset = frozenset()
    forbid: frozenset = frozenset()
    ambiguous_name: bool = False  # the township's name exists in another county
    no_period: bool = False
    total_plain: frozenset = frozenset()  # codes whose 合计 cell must not carry a formula


@dataclass
class Rendered:
    rows: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based, inclusive
    used: set[str] = field(default_factory=set)


def compatible(var: str, form: str, container: str, *, has_alias: bool, ambiguous: bool, forbid=frozenset()) -> bool:
    if var in forbid:
        return False
    if var in _XLSX_ONLY and container != "xlsx":
        return False
    if var in _CSV_ONLY and container != "csv":
        return False
    if var.startswith("pct_") and form not in ("FP1", "FP2", "FP3"):
        return False
    if (var.startswith("flag_") or var.startswith("land_")) and form != "FP1":
        return False
    if var.startswith("yuan_") and form != "FP3":
        return False
    if var == "village_alias" and not has_alias:
        return False
    if var == "unit_name_only" and ambiguous:
        return False
    if var in ("two_level_merged", "two_level_csv") and form == "FPT":
        return False
    if var == "alias_labels" and form not in ("FP1", "FP3", "FP4"):
        return False
    return True


FW_DIGITS = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
PERIOD_TEXTS = {
    "YYYY": ("{y}年", "{y}年度", "{y}年1-12月", "{y}年"),
    "YYYYH1": ("{y}年1-6月", "{y}年上半年", "{y}年1-6月", "{y}年1月-6月"),
    "YYYYH2": ("{y}年7-12月", "{y}年下半年"),
}
NAME_LABELS = ("村名称", "村名称", "单位名称", "村(社区)名称", "村（社区）名称")
EXTRA_COLUMNS = {
    "FP1": ("帮扶单位", "备注", "山林面积(亩)", "版图面积(平方公里)"),
    "FP2": ("通电户数", "村支书", "备注", "通宽带户数"),
    "FP3": ("实施单位", "备注", "项目名称"),
    "FP4": ("雨露计划人次", "备注", "残疾人生活补助人次"),
    "FPT": ("备注",),
}
_DISPLAY_UNIT = {"人": "人", "户": "户", "个": "个", "亩": "亩", "公里": "公里", "万元": "万元", "元": "元", "人次": "人次"}


def period_kind(period: str) -> str:
    return "YYYY" if period.isdigit() else "YYYY" + period[4:]


class _Style:
    """The choices made for one sheet."""

    def __init__(self, spec: SheetSpec, rng: random.Random):
        self.spec, self.rng, self.used = spec, rng, set()
        self.force = set(spec.force)

    def pick(self, options: tuple[str, ...], weights: tuple[float, ...] | None = None) -> str:
        forced = [o for o in options if o in self.force]
        if forced:
            choice = forced[0]
        else:
            allowed = [o for o in options if o not in self.spec.forbid]
            w = None
            if weights:
                w = [weights[options.index(o)] for o in allowed]
            choice = self.rng.choices(allowed, weights=w)[0]
        self.used.add(choice)
        return choice

    def flag(self, name: str, p: float) -> bool:
        if name in self.spec.forbid:
            return False
        on = name in self.force or self.rng.random() < p
        if on:
            self.used.add(name)
        return on


def _want(st: "_Style", name: str, p: float) -> bool:
    """Apply a per-item variation: always while it is forced and not yet used, else with ``p``."""
    return (name in st.force and name not in st.used) or st.rng.random() < p


def _decorate(label: str, st: _Style, unit: str, opts: dict) -> str:
    """A header label as someone typed it."""
    rng = st.rng
    text = label
    if opts["trad"]:
        t = to_traditional(text)
        if t != text:
            st.used.add("traditional_labels")
        text = t
    if opts["spaces"] and len(text) >= 3 and _want(st, "label_spaces", 0.25):
        sep = rng.choice((" ", "\u3000", "  "))
        text = sep.join(text) if len(text) <= 5 else text[:2] + sep + text[2:]
        st.used.add("label_spaces")
    elif opts["linebreaks"] and len(text) >= 4 and _want(st, "label_linebreaks", 0.25):
        i = rng.randint(2, len(text) - 2)
        text = text[:i] + "\n" + text[i:]
        st.used.add("label_linebreaks")
    if unit and opts["units"] and (opts["force_unit"] or rng.random() < 0.45 or not st.used & {"label_units", "label_units_fullwidth"}):
        text += f"（{unit}）" if opts["fullwidth"] else f"({unit})"
        st.used.add("label_units_fullwidth" if opts["fullwidth"] else "label_units")
    if opts["spaces"] and rng.random() < 0.1:
        text = " " + text + " "
    return text


def _fmt_number(v: float | int, decimals: int) -> str:
    if isinstance(v, int) or (decimals == 0 and float(v).is_integer()):
        return str(int(v))
    s = f"{v:.{max(decimals, 1)}f}"
    s = s.rstrip("0").rstrip(".") if "." in s else s
    return s


_MARKERS = (("blank_empty", ""), ("blank_dash", "-"), ("blank_emdash", "—"), ("blank_slash", "/"), ("blank_wu", "无"))


class _NumberWriter:
    def __init__(self, st: _Style, container: str):
        self.st, self.rng, self.container = st, st.rng, container
        self.text_xlsx = container == "xlsx" and st.flag("num_text", 0.15)
        on = {k: st.flag(k, p) for k, p in (("num_thousands", 0.3), ("num_fullwidth", 0.2), ("num_trailing_unit", 0.2), ("num_padded", 0.2))}
        st.used -= set(on)  # recorded when a cell actually shows it
        self.variants = [k for k, v in on.items() if v]
        self.forced = [k for k in self.variants if k in st.force]
        forced_marks = [(k, m) for k, m in _MARKERS if k in st.force]
        self.markers = forced_marks
        self.always_mark = bool(forced_marks)
        if not self.markers and self.rng.random() < 0.6:
            self.markers = [self.rng.choice(_MARKERS)]
        self.p_variant = 0.35 if container == "csv" else 0.2

    def _eligible(self, variant: str, v: float, unit: str) -> bool:
        if variant == "num_thousands":
            return abs(v) >= 1000
        if variant == "num_trailing_unit":
            return unit in _DISPLAY_UNIT
        return True

    def number(self, v: float | int, decimals: int, unit: str, is_total: bool = False, allow_blank: bool = True) -> Any:
        rng, st = self.rng, self.st
        if v == 0 and self.markers and allow_blank and not is_total and (self.always_mark or rng.random() < 0.7):
            pending = [km for km in self.markers if km[0] not in st.used]
            key, mark = pending[0] if pending else rng.choice(self.markers)
            st.used.add(key)
            return mark
        text = _fmt_number(v, decimals)
        if v < 0 or not float(v).is_integer() and decimals == 0:
            # a mistake (negative / non-integer count): written plainly
            return text if self.container == "csv" else (int(v) if float(v).is_integer() else float(v))
        variant = None
        pending = [k for k in self.forced if k not in st.used and self._eligible(k, v, unit)]
        if pending:
            variant = pending[0]
        elif self.variants and rng.random() < self.p_variant:
            options = [k for k in self.variants if self._eligible(k, v, unit)]
            if options:
                variant = rng.choice(options)
        if variant == "num_thousands":
            intpart, _, frac = text.partition(".")
            text = f"{int(intpart):,}" + (f".{frac}" if frac else "")
        elif variant == "num_fullwidth":
            text = text.translate(FW_DIGITS) if rng.random() < 0.7 else text[:1].translate(FW_DIGITS) + text[1:]
        elif variant == "num_trailing_unit":
            text = text + _DISPLAY_UNIT[unit]
        elif variant == "num_padded":
            text = rng.choice((" ", "  ")) + text + rng.choice((" ", "", "  "))
        if variant:
            st.used.add(variant)
        if self.container == "csv":
            return text
        if variant or (self.text_xlsx and (("num_text" in st.force and "num_text" not in st.used) or rng.random() < 0.4)):
            if not variant:
                st.used.add("num_text")
            return text
        return int(v) if float(v).is_integer() and decimals == 0 else float(v)


@dataclass
class _Col:
    kind: str  # serial | code | name | ind | extra | spacer
    ind: Indicator | None = None
    top: str = ""
    leaf: str = ""
    unit: str = ""  # display unit of the column's numbers
    factor: float = 1.0  # canonical value * factor = display value
    extra: str = ""


def _colletter(c: int) -> str:
    s, c = "", c + 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def render_sheet(spec: SheetSpec) -> Rendered:
    if spec.form == "FPT":
        return render_targets(spec)
    cat = default_catalog()
    form = cat.forms[spec.form]
    rng = random.Random(spec.seed)
    st = _Style(spec, rng)
    xlsx = spec.container == "xlsx"
    year = int(spec.period[:4])
    pkind = period_kind(spec.period)

    # -- choices ---------------------------------------------------------------------------
    level_opts = ("two_level_merged", "one_level") if xlsx else ("two_level_csv", "one_level")
    level = st.pick(level_opts, (0.55, 0.45))
    two_level = level != "one_level"
    trad = st.flag("traditional_labels", 0.12)
    trad_names = st.flag("traditional_names", 0.12)
    label_spaces, label_breaks = st.flag("label_spaces", 0.35), st.flag("label_linebreaks", 0.3)
    st.used -= {"traditional_names", "label_spaces", "label_linebreaks"}
    fullwidth_colon = st.flag("fullwidth_colons", 0.35)
    colon = "：" if fullwidth_colon else ":"
    label_opts = {
        "trad": trad,
        "spaces": label_spaces,
        "linebreaks": label_breaks,
        "units": False,
        "fullwidth": False,
        "force_unit": False,
    }
    if rng.random() < 0.55 or "label_units" in st.force or "label_units_fullwidth" in st.force:
        which = st.pick(("label_units", "label_units_fullwidth"), (0.6, 0.4))
        st.used.discard(which)  # recorded when a label shows it
        label_opts["units"] = True
        label_opts["fullwidth"] = which == "label_units_fullwidth"
    alias_labels = st.flag("alias_labels", 0.15)
    shuffle = st.flag("col_shuffle", 0.45)
    n_extra = (1 + rng.randint(0, 1)) if st.flag("extra_cols", 0.35) else 0
    n_spacer = 1 if st.flag("spacer_cols", 0.15) else 0
    spacer_rows = st.flag("spacer_rows", 0.2)
    serial = st.flag("serial_col", 0.5)
    unit_opts = ["unit_county_prefix", "unit_code9", "unit_code12", "unit_name_only", "unit_from_total_code"]
    unit_w = [0.4, 0.22, 0.12, 0.25, 0.01]
    if spec.ambiguous_name:
        unit_w[3] = 0
    unit_style = st.pick(tuple(unit_opts), tuple(unit_w))
    total_pos = "total_below" if unit_style == "unit_from_total_code" and "total_above" not in st.force else None
    if total_pos is None:
        needs_total = {"total_with_code", "formula_totals", "total_label_variant"} & st.force
        if needs_total or spec.total is None:
            total_pos = st.pick(("total_above", "total_below"), (0.55, 0.45))
        else:
            total_pos = st.pick(("total_above", "total_below", "total_none"), (0.5, 0.35, 0.15))
    if unit_style == "unit_from_total_code" and total_pos == "total_none":
        total_pos = "total_below"
    total_with_code = unit_style == "unit_from_total_code" or (total_pos != "total_none" and st.flag("total_with_code", 0.2))
    if total_with_code:
        st.used.add("total_with_code")
    code_col = total_with_code or "village_code_numeric" in st.force or st.flag("village_code", 0.4)
    if code_col:
        st.used.add("village_code")
    code_numeric = xlsx and code_col and st.flag("village_code_numeric", 0.3)
    name_label = NAME_LABELS[0]
    if st.flag("name_label_variant", 0.4):
        name_label = rng.choice(NAME_LABELS[2:])
    col_numbers = st.flag("column_number_row", 0.3)
    header_style = st.pick(("header_one_cell", "header_separate_cells"))
    if spec.no_period:
        period_pos = "none"
    else:
        period_pos = st.pick(("period_own_row", "period_in_unit_row", "period_in_title_only"), (0.45, 0.5, 0.05))
    ptext = rng.choice(PERIOD_TEXTS[pkind]).format(y=year)
    unit_decl = True
    if "no_unit_decl" in st.force or (rng.random() < 0.2 and not {"yuan_sheet", "land_hectare_sheet"} & st.force):
        unit_decl = False
        st.used.add("no_unit_decl")
    pct = st.pick(("pct_text", "pct_plain", "pct_fraction_format") if xlsx else ("pct_text", "pct_plain"), (0.35, 0.45, 0.2)[: 3 if xlsx else 2]) if spec.form in ("FP1", "FP2", "FP3") else None
    flag_style = st.pick(("flag_shifou", "flag_yn", "flag_10"), (0.6, 0.2, 0.2)) if spec.form == "FP1" else None
    yuan = None
    if spec.form == "FP3" and (rng.random() < 0.25 or {"yuan_sheet", "yuan_header"} & st.force):
        if not {"yuan_sheet", "yuan_header"} <= set(spec.forbid):
            yuan = st.pick(("yuan_sheet", "yuan_header"))
    hectare = None
    if spec.form == "FP1" and (rng.random() < 0.15 or {"land_hectare_sheet", "land_hectare_header"} & st.force):
        hectare = st.pick(("land_hectare_sheet", "land_hectare_header"))
    if yuan == "yuan_sheet" or hectare == "land_hectare_sheet":
        unit_decl = True
        st.used.discard("no_unit_decl")
    date_style = st.pick(("date_footer_text", "date_cell"), (0.7, 0.3)) if spec.report_date else None
    nums = _NumberWriter(st, spec.container)

    # -- columns ---------------------------------------------------------------------------
    inds = list(form.indicators)
    alias_of = {}
    if alias_labels:
        for ind in inds:
            al = [a for a in cat.aliases.get(ind.code, []) if "(" not in a]
            if al and not (two_level and ind.group_label):
                alias_of[ind.code] = rng.choice(al)
        if not alias_of:
            st.used.discard("alias_labels")
    units: list[list[Indicator]] = []
    for ind in inds:
        if two_level and ind.group_label and units and units[-1][0].group_label == ind.group_label:
            units[-1].append(ind)
        else:
            units.append([ind])
    if shuffle:
        rng.shuffle(units)
    blocks: list[list[_Col]] = []
    for unit in units:
        block = []
        for ind in unit:
            disp_unit, factor = ind.unit, 1.0
            if yuan and ind.unit == "万元":
                disp_unit, factor = "元", 10000.0
            if hectare and ind.code == "A04":
                disp_unit, factor = "公顷", 1 / 15
            label_unit = {"%": "%", "是/否": ""}.get(ind.unit, disp_unit)
            opts = dict(label_opts)
            if (yuan == "yuan_header" and ind.unit == "万元") or (hectare == "land_hectare_header" and ind.code == "A04"):
                opts.update(units=True, force_unit=True)
            if ind.kind == "ratio" and ind.code == "A05":
                label_unit = "亩"
            if two_level and ind.group_label:
                top = _decorate(ind.group_label, st, "", dict(opts, units=False))
                leaf = _decorate(ind.leaf_label, st, label_unit, opts)
            else:
                top, leaf = _decorate(alias_of.get(ind.code, ind.label), st, label_unit, opts), ""
            block.append(_Col("ind", ind, top, leaf, disp_unit, factor))
        blocks.append(block)
    for _ in range(n_extra):
        label = rng.choice(EXTRA_COLUMNS[spec.form])
        blocks.insert(rng.randint(0, len(blocks)), [_Col("extra", top=_decorate(label, st, "", dict(label_opts, units=False)), extra=label)])
    for _ in range(n_spacer):
        blocks.insert(rng.randint(1, len(blocks) - 1), [_Col("spacer")])
    lead = []
    if serial:
        lead.append(_Col("serial", top="序号"))
    if code_col:
        lead.append(_Col("code", top=rng.choice(("区划代码", "区划代码", "统计用区划代码", "代码"))))
    lead.append(_Col("name", top=to_traditional(name_label) if trad else name_label))
    if code_col and rng.random() < 0.15:  # code after the name
        lead = [c for c in lead if c.kind != "code"] + [c for c in lead if c.kind == "code"]
    cols = lead + [c for b in blocks for c in b]
    width = len(cols)

    # -- header block ----------------------------------------------------------------------
    out: list[list[Any]] = []
    merges: list[tuple[int, int, int, int]] = []

    def row(*cells_at: tuple[int, Any]) -> list[Any]:
        r = [None] * width
        for c, v in cells_at:
            r[min(c, width - 1)] = v
        return r

    if st.flag("leading_blank_row", 0.15):
        out.append([None] * width)
    title = form.title
    if period_pos == "period_in_title_only" or (period_pos != "none" and rng.random() < 0.2):
        title = ptext + title
    if trad:
        title = to_traditional(title)
    out.append(row((0, title)))
    if xlsx and st.flag("merged_title", 0.6):
        merges.append((len(out) - 1, 0, len(out) - 1, width - 1))
    valid = f"有效期至{colon}{year + rng.choice((1, 2))}年12月"
    table_no = f"表号{colon}{form.table_no}"
    issuer = f"制定机关{colon}{spec.issuer}"
    if trad:
        table_no, issuer, valid = (to_traditional(x) for x in (table_no, issuer, valid))
    sep = rng.choice(("\u3000\u3000", "  ", "\u3000\u3000\u3000", " "))
    if header_style == "header_one_cell":
        out.append(row((0, sep.join((table_no, issuer, valid)))))
    else:
        out.append(row((0, table_no), (width // 2, issuer), (width - 2, valid)))
    if period_pos == "period_own_row":
        out.append(row((0, ptext)))
        if xlsx and rng.random() < 0.5:
            merges.append((len(out) - 1, 0, len(out) - 1, width - 1))
    town_name = to_traditional(spec.town_name) if trad_names else spec.town_name
    county_name = to_traditional(spec.county_name) if trad_names else spec.county_name
    if town_name != spec.town_name or county_name != spec.county_name:
        st.used.add("traditional_names")
    lp, rp = ("（", "）") if fullwidth_colon and rng.random() < 0.6 else ("(", ")")
    unit_text = {
        "unit_county_prefix": county_name + town_name,
        "unit_code9": f"{town_name}{lp}{spec.town_code[:9]}{rp}",
        "unit_code12": f"{town_name}{lp}{spec.town_code}{rp}",
        "unit_name_only": town_name,
        "unit_from_total_code": None,
    }[unit_style]
    decl_units = form.unit_note
    if yuan == "yuan_sheet":
        decl_units = decl_units.replace("万元", "元")
    if hectare == "land_hectare_sheet":
        decl_units = decl_units.replace("亩", "公顷")
    decl = f"计量单位{colon}{decl_units}" if unit_decl else None
    fill = f"填报单位{colon}{unit_text}" if unit_text is not None else None
    if trad:
        fill = to_traditional(fill) if fill else fill
        decl = to_traditional(decl) if decl else decl
    parts = [p for p in (fill, ptext if period_pos == "period_in_unit_row" else None, decl) if p]
    if parts:
        if header_style == "header_one_cell":
            out.append(row((0, sep.join(parts))))
        else:
            positions = [0, width // 2, max(width - 3, 1)] if len(parts) == 3 else [0, max(width // 2, 1)]
            out.append(row(*zip(positions, parts)))
    if spacer_rows and (rng.random() < 0.5 or "spacer_rows" in st.force):
        out.append([None] * width)

    # -- column header ---------------------------------------------------------------------
    h0 = len(out)
    top_row = [c.top if c.kind != "spacer" else None for c in cols]
    out.append(top_row)
    if two_level:
        leaf_row = [c.leaf or None for c in cols]
        out.append(leaf_row)
        # merged group cells across their leaves; single labels merged down two rows
        c = 0
        while c < width:
            col = cols[c]
            if col.kind == "ind" and col.ind.group_label and col.leaf:
                c2 = c
                while c2 + 1 < width and cols[c2 + 1].kind == "ind" and cols[c2 + 1].ind.group_label == col.ind.group_label and cols[c2 + 1].leaf:
                    c2 += 1
                for k in range(c + 1, c2 + 1):
                    top_row[k] = None
                if xlsx and c2 > c:
                    merges.append((h0, c, h0, c2))
                c = c2 + 1
                continue
            if xlsx and col.kind != "spacer" and rng.random() < 0.7:
                merges.append((h0, c, h0 + 1, c))
            c += 1
    if col_numbers:
        numbers, n = [], 1
        letters = iter("甲乙丙丁")
        for col in cols:
            if col.kind in ("serial", "code", "name"):
                numbers.append(next(letters))
            elif col.kind == "spacer":
                numbers.append(None)
            else:
                numbers.append(n if xlsx else str(n))
                n += 1
        out.append(numbers)
    if spacer_rows and rng.random() < 0.5:
        out.append([None] * width)

    # -- rows --------------------------------------------------------------------------------
    def indicator_cell(col: _Col, v: Any, is_total: bool, allow_blank: bool = True) -> Any:
        ind = col.ind
        if v is None:
            return None
        if isinstance(v, str):  # a mistaken flag such as 待定
            return v
        if ind.kind == "flag":
            yes, no = {"flag_shifou": ("是", "否"), "flag_yn": ("Y", "N"), "flag_10": (1, 0)}[flag_style]
            if is_total:
                return int(v) if xlsx else str(int(v))
            cell = yes if v == 1 else no
            return cell if xlsx else str(cell)
        if ind.kind == "ratio":
            if ind.is_percent and pct == "pct_text":
                return f"{_fmt_number(v, 2)}%"
            if ind.is_percent and pct == "pct_fraction_format":
                return XCell(round(v / 100, 6), number_format=rng.choice(("0.00%", "0.0%", "0%")))
            return float(v) if xlsx else _fmt_number(v, 2)
        d = v * col.factor
        decimals = ind.decimals
        if col.factor == 10000.0:
            d, decimals = int(round(d)), 0
        elif col.factor != 1.0:
            d, decimals = round(d, 2), 2
        elif ind.kind == "wmean":
            decimals = 0
        return nums.number(d, decimals, col.unit, is_total, allow_blank)

    def extra_cell(col: _Col) -> Any:
        label = col.extra
        if label in ("帮扶单位", "实施单位"):
            return rng.choice(HELPERS)
        if label == "村支书":
            return rng.choice(PERSONS)
        if label == "项目名称":
            return rng.choice(("产业扶贫", "整村推进", "道路硬化", "安全饮水", "易地搬迁"))
        if label == "备注":
            return rng.choice((None, None, "已出列", "贫困村", "易地搬迁", "新合并"))
        n = rng.randint(0, 300)
        return n if xlsx else str(n)

    village_rows: list[list[Any]] = []
    any_alias = any(r.alias for r in spec.rows)
    alias_mode = any_alias and st.flag("village_alias", 0.5)
    nosuffix_mode = st.flag("village_nosuffix", 0.3)
    st.used -= {"village_alias", "village_nosuffix"}  # recorded when a row shows it
    for i, rs in enumerate(spec.rows):
        r = [None] * width
        name = rs.name
        if rs.kind == "village":
            if alias_mode and rs.alias and (rng.random() < 0.8 or "village_alias" in st.force):
                name = rs.alias
                st.used.add("village_alias")
            elif nosuffix_mode and _want(st, "village_nosuffix", 0.5):
                for suffix in ("社区", "村"):
                    if name.endswith(suffix):
                        name = name[: -len(suffix)]
                        st.used.add("village_nosuffix")
                        break
            if trad_names and to_traditional(name) != name and _want(st, "traditional_names", 0.6):
                name = to_traditional(name)
                st.used.add("traditional_names")
        values = rs.values
        all_zero_risk = values is not None and all(
            (values.get(c.ind.code) == 0) for c in cols if c.kind == "ind" and c.ind.kind in ("stock", "flow")
        )
        for c, col in enumerate(cols):
            if col.kind == "serial":
                r[c] = i + 1 if xlsx else str(i + 1)
            elif col.kind == "code":
                if rs.code:
                    r[c] = int(rs.code) if code_numeric else rs.code
            elif col.kind == "name":
                r[c] = name
            elif col.kind == "ind":
                if values is not None:
                    r[c] = indicator_cell(col, values.get(col.ind.code), False, allow_blank=not all_zero_risk)
            elif col.kind == "extra" and values is not None:
                r[c] = extra_cell(col)
        village_rows.append(r)

    total_cells: list[Any] | None = None
    if spec.total is not None and total_pos != "total_none":
        label = "合计"
        if st.flag("total_label_variant", 0.3):
            label = rng.choice(("总计", "合  计", "合\u3000计"))
        t = [None] * width
        name_c = next(c for c, col in enumerate(cols) if col.kind == "name")
        if serial and rng.random() < 0.2:
            t[0] = label
        else:
            t[name_c] = label
        for c, col in enumerate(cols):
            if col.kind == "code" and total_with_code:
                code = spec.town_code if rng.random() < 0.5 else spec.town_code[:9]
                t[c] = int(code) if code_numeric else code
            elif col.kind == "ind":
                t[c] = indicator_cell(col, spec.total.get(col.ind.code), True)
        total_cells = t

    data_start = len(out)
    body: list[list[Any]] = []
    if total_cells is not None and total_pos == "total_above":
        body.append(total_cells)
    for r in village_rows:
        body.append(r)
        if spacer_rows and rng.random() < 0.08:
            body.append([None] * width)
    if total_cells is not None and total_pos == "total_below":
        body.append(total_cells)
    out.extend(body)

    # formulas in the 合计 row, with the cached value kept
    if total_cells is not None and xlsx and st.flag("formula_totals", 0.4):
        t_idx = out.index(total_cells)
        v_rows = [data_start + k for k, r in enumerate(body) if r is not total_cells]
        first, last = min(v_rows) + 1, max(v_rows) + 1
        col_of = {col.ind.code: c for c, col in enumerate(cols) if col.kind == "ind"}
        for c, col in enumerate(cols):
            if col.kind != "ind" or col.ind.code in spec.total_plain:
                continue
            cached = total_cells[c]
            if not isinstance(cached, (int, float)) or isinstance(cached, bool):
                continue
            L = _colletter(c)
            ind = col.ind
            if ind.kind in ("stock", "flow"):
                vals = [out[k][c] for k in v_rows]
                if all(isinstance(x, (int, float)) or x is None for x in vals):
                    total_cells[c] = XCell(cached, formula=f"SUM({L}{first}:{L}{last})")
            elif ind.kind == "ratio" and ind.numerator in col_of and ind.denominator in col_of:
                n, d = _colletter(col_of[ind.numerator]), _colletter(col_of[ind.denominator])
                scale = "*100" if ind.scale == 100 else ""
                total_cells[c] = XCell(cached, formula=f"ROUND({n}{t_idx + 1}/{d}{t_idx + 1}{scale},2)")
            elif ind.kind == "flag" and flag_style != "flag_10":
                yes = "是" if flag_style == "flag_shifou" else "Y"
                total_cells[c] = XCell(cached, formula=f'COUNTIF({L}{first}:{L}{last},"{yes}")')

    # -- footer ------------------------------------------------------------------------------
    as_of = "6月30日" if pkind == "YYYYH1" else "12月31日"
    if rng.random() < 0.7:
        note = f"注{colon}本表由乡镇扶贫工作站填报,时点指标截至{year}年{as_of}。"
        out.append(row((0, to_traditional(note) if trad else note)))
    people = rng.sample(PERSONS, 3)
    heads = [f"单位负责人{colon}{people[0]}", f"统计负责人{colon}{people[1]}", f"填表人{colon}{people[2]}"]
    if trad:
        heads = [to_traditional(h) for h in heads]
    d = spec.report_date
    label = to_traditional("报出日期") if trad else "报出日期"
    if d is None:
        out.append(row((0, "\u3000\u3000".join(heads))))
    elif date_style == "date_footer_text":
        dtext = rng.choice((f"{d.year}年{d.month}月{d.day}日", d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}"))
        out.append(row((0, "\u3000\u3000".join(heads + [f"{label}{colon}{dtext}"]))))
    else:
        if xlsx:
            dcell = XCell(dt.datetime(d.year, d.month, d.day), number_format=rng.choice(('yyyy"年"m"月"d"日"', "yyyy-mm-dd", "yyyy/m/d")))
        else:
            dcell = rng.choice((d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日"))
        cells = [(0, heads[0]), (max(width // 4, 1), heads[1]), (max(width // 2, 2), heads[2])]
        lc = max(width - 3, 3)
        cells += [(lc, f"{label}{colon}" if rng.random() < 0.6 else label), (lc + 1, dcell)]
        r = [None] * max(width, lc + 2)
        for c, v in cells:
            r[c] = v
        out.append(r)
    st.used.add(level)
    return Rendered(out, merges, st.used)


def render_targets(spec: SheetSpec) -> Rendered:
    """The city's 扶贫T表: one row per county, a 合计 row, issued early in the year."""
    cat = default_catalog()
    form = cat.forms["FPT"]
    rng = random.Random(spec.seed)
    st = _Style(spec, rng)
    xlsx = spec.container == "xlsx"
    year = int(spec.period[:4])
    inds = list(form.indicators)
    if st.flag("col_shuffle", 0.6):
        rng.shuffle(inds)
    width = 1 + len(inds)
    colon = "：" if st.flag("fullwidth_colons", 0.3) else ":"
    out: list[list[Any]] = []
    title = rng.choice((f"{year}年度目标任务", form.title, f"{year}年脱贫攻坚目标任务分解表"))
    out.append([title] + [None] * (width - 1))
    merges = [(0, 0, 0, width - 1)] if xlsx else []
    out.append([f"表号{colon}{form.table_no}", None, None, f"制定机关{colon}{spec.issuer}"][:width])
    unit = rng.choice((f"{spec.town_name}({spec.town_code[:4]})", spec.town_name))
    out.append([f"填报单位{colon}{unit}", f"{year}年度", None, f"计量单位{colon}{form.unit_note}"][:width])
    labels = []
    for ind in inds:
        labels.append(ind.label + (f"({ind.unit})" if rng.random() < 0.6 else ""))
    out.append([rng.choice(("单位名称", "县(区)名称"))] + labels)
    total = [("合计" if rng.random() < 0.7 else "总计")] + [spec.total[i.code] for i in inds]
    body = []
    for rs in spec.rows:
        name = to_traditional(rs.name) if st.flag("traditional_names", 0.2) and rng.random() < 0.5 else rs.name
        body.append([name] + [rs.values[i.code] for i in inds])
    if rng.random() < 0.6:
        out.append(total)
        out.extend(body)
    else:
        out.extend(body)
        out.append(total)
    if not xlsx:
        out = [[None if v is None else (v if isinstance(v, str) else _fmt_number(v, 2)) for v in r] for r in out]
    out.append([None] * width)
    d = spec.report_date
    out.append([f"报出日期{colon}{d.year}年{d.month}月{d.day}日"] + [None] * (width - 1))
    st.used.add("fpt_targets")
    return Rendered(out, merges, st.used)
