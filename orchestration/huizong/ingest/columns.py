"""The column header of a form: where it is, its one or two levels, and which indicator each
column holds (through the catalog's labels, group/leaf pairs and aliases)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from huizong.catalog import Catalog, Indicator
from huizong.ingest.header import cell_text
from huizong.ingest.text import ctext, fast_compact
from huizong.normalize import label_key, split_unit

NAME_LABELS = frozenset(
    {"村名称", "单位名称", "村(社区)名称", "村(居)名称", "村居名称", "村名", "名称", "行政村", "村(社区)", "地区", "单位", "县(区)名称", "县区名称", "县名称"}
)
CODE_LABELS = frozenset({"区划代码", "统计用区划代码", "行政区划代码", "代码", "村代码", "单位代码"})
SERIAL_LABELS = frozenset({"序号", "编号"})
_COLUMN_NUMBER = re.compile(r"^([甲乙丙丁戊]|\d{1,3})$")


@dataclass
class ColumnMap:
    header_row: int  # 0-based index of the first header row
    first_data_row: int
    name_col: int
    code_col: int | None
    indicators: dict[int, tuple[Indicator, str]]  # column -> (indicator, unit written in its label)
    labels: dict[int, str]


def _texts(row: list[Any]) -> list[str]:
    return [ctext(v) for v in row]


def find_header_row(rows: list[list[Any]]) -> tuple[int, int] | None:
    """(row, column) of the name column's label."""
    for r, row in enumerate(rows[:40]):
        for c, value in enumerate(row):
            if type(value) is not str or not value:
                continue  # a label is text
            if split_unit(fast_compact(value))[0] in NAME_LABELS:
                return r, c
    return None


def _label_index(catalog: Catalog, form_code: str) -> dict[str, Indicator]:
    index: dict[str, Indicator] = {}
    for ind in catalog.indicators_of(form_code):
        keys = [label_key(ind.label)]
        if ind.group_label:
            keys.append(label_key(ind.group_label) + label_key(ind.leaf_label))
        keys.extend(label_key(a) for a in catalog.aliases.get(ind.code, []))
        for key in keys:
            index.setdefault(key, ind)
    return index


_INDEXES: dict[tuple[int, str], tuple[Catalog, dict, dict, dict]] = {}


def _indexes(catalog: Catalog, form_code: str) -> tuple[dict[str, Indicator], dict[str, Indicator], dict]:
    """The form's label index, its labels, and a memo of header cells already read,
    built once per catalog."""
    key = (id(catalog), form_code)
    hit = _INDEXES.get(key)
    if hit is None or hit[0] is not catalog:
        by_label = {label_key(i.label): i for i in catalog.indicators_of(form_code)}
        hit = _INDEXES[key] = (catalog, _label_index(catalog, form_code), by_label, {})
    if len(hit[3]) > 50000:
        hit[3].clear()
    return hit[1], hit[2], hit[3]


def _column(top: str, leaf: str, index: dict, by_label: dict) -> tuple[str, tuple, str, str]:
    """How one header column reads: (kind code|serial|indicator, candidate indicators in
    order of preference, unit written in the label, label as shown)."""
    g_label, g_unit = split_unit(fast_compact(top)) if top else ("", "")
    l_label, l_unit = split_unit(fast_compact(leaf)) if leaf else ("", "")
    if not leaf.strip():
        if g_label in CODE_LABELS:
            return "code", (), "", ""
        if g_label in SERIAL_LABELS:
            return "serial", (), "", ""
        candidates = (index.get(label_key(g_label)),)
        unit = g_unit
    else:
        # group+leaf (建档立卡贫困/户数), or a leaf that is a full label under its group.
        candidates = (index.get(label_key(g_label) + label_key(l_label)), by_label.get(label_key(l_label)))
        unit = l_unit or g_unit
    return "indicator", candidates, unit, "/".join(x for x in (top.strip(), leaf.strip()) if x)


TOTAL_LABELS = frozenset({"合计", "总计", "全乡合计", "全镇合计", "合计数", "全县合计", "全市合计"})


def _is_leaf_row(texts: list[str], name_col: int) -> bool:
    """The second row of a two-level header: labels under their group, nothing in the name
    column. A 合计 row whose label sits in the 序号 column (name column empty) is not one:
    it has a total label up front and mostly numbers."""
    if name_col < len(texts) and texts[name_col]:
        return False
    if any(t in TOTAL_LABELS for t in texts[: name_col + 1]):
        return False
    labels = [t for t in texts if t]
    if not labels:
        return False
    words = [t for t in labels if not _COLUMN_NUMBER.match(t) and not _looks_numeric(t)]
    return bool(words) and 2 * len(words) >= len(labels)


def _looks_numeric(text: str) -> bool:
    """A figure as typed (``1,498``, ``76.4%``, ``1498人``, ``-``), not a header label."""
    from huizong.normalize import is_blank_marker, parse_number

    return parse_number(text)[0] is not None or is_blank_marker(text)


def _is_column_number_row(texts: list[str]) -> bool:
    labels = [t for t in texts if t]
    return bool(labels) and all(_COLUMN_NUMBER.match(t) for t in labels) and any(t in "甲乙丙丁" for t in labels) or (
        len(labels) >= 3 and all(t.isdigit() for t in labels) and [int(t) for t in labels] == list(range(int(labels[0]), int(labels[0]) + len(labels)))
    )


def map_columns(rows: list[list[Any]], merged: list, catalog: Catalog, form_code: str, found=None) -> ColumnMap | None:
    """``found``: the header's (row, name column) when the caller has looked already."""
    if found is None:
        found = find_header_row(rows)
    if found is None:
        return None
    r, name_col = found
    top = [cell_text(v) for v in rows[r]]
    width = max(len(top), *(len(x) for x in rows[r : r + 2]))
    top += [""] * (width - len(top))
    leaf = [""] * width
    next_r = r + 1
    if next_r < len(rows) and _is_leaf_row(_texts(rows[next_r]), name_col):
        leaf = [cell_text(v) for v in rows[next_r]] + [""] * (width - len(rows[next_r]))
        next_r += 1
        # Merged group cells: give every covered column its group's label.
        for (r1, c1), (r2, c2) in merged:
            if r1 == r and r2 == r and c2 > c1:
                for c in range(c1 + 1, min(c2 + 1, width)):
                    if not top[c].strip():
                        top[c] = top[c1]
        # Without merge information (CSV): a group label stands over the empty cells to its right.
        group = ""
        for c in range(width):
            if top[c].strip():
                group = top[c] if leaf[c].strip() else ""
            elif leaf[c].strip() and group:
                top[c] = group
    while next_r < len(rows):
        texts = _texts(rows[next_r])
        if not any(texts) or _is_column_number_row(texts):
            next_r += 1
            continue
        break

    index, by_label, memo = _indexes(catalog, form_code)
    indicators: dict[int, tuple[Indicator, str]] = {}
    labels: dict[int, str] = {}
    code_col = None
    taken: set[str] = set()
    for c in range(width):
        if c == name_col:
            continue
        key = (top[c], leaf[c])
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = _column(top[c], leaf[c], index, by_label)
        kind, candidates, unit, label = hit
        if kind == "code":
            code_col = c
            continue
        if kind == "serial":
            continue
        labels[c] = label
        for ind in candidates:
            if ind is not None and ind.code not in taken:
                indicators[c] = (ind, unit)
                taken.add(ind.code)
                break
    return ColumnMap(r, next_r, name_col, code_col, indicators, labels)
