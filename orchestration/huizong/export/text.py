"""Small text rules shared by the layout and both writers: periods and dates in words,
rounding to an indicator's decimals, display width of Chinese text, formula-safe text."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

PERIOD_RE = re.compile(r"^(\d{4})(H[12])?$")
_HALF_WORDS = {None: "", "H1": "1-6月", "H2": "7-12月"}

# A text cell starting with one of these is taken for a formula by Excel (and by LibreOffice
# when it opens a CSV); tab and carriage return are in OWASP's CSV-injection list too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def period_year(period: str) -> int:
    return int(period[:4])


def period_in_words(period: str) -> str:
    """``2018`` -> ``2018年``, ``2018H1`` -> ``2018年1-6月``, ``2018H2`` -> ``2018年7-12月``."""
    m = PERIOD_RE.match(period)
    if not m:
        raise ValueError(f"not a period id: {period!r}")
    return f"{m.group(1)}年{_HALF_WORDS[m.group(2)]}"


def date_in_words(d: date) -> str:
    """``2019-01-10`` -> ``2019年1月10日`` (as written in a form's 报出日期)."""
    return f"{d.year}年{d.month}月{d.day}日"


def round_value(value: float | None, decimals: int) -> Decimal | None:
    """The figure as published: rounded half away from zero on its shortest decimal
    representation (so 2.675 -> 2.68, as a clerk rounds), never ``-0``; blank for NULL/NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return rounded


def format_number(value: Decimal, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def number_format(decimals: int) -> str:
    """The xlsx number format showing exactly ``decimals`` places: ``0_ ``, ``0.0_ ``,
    ``0.00_ `` (``_ `` keeps a space's width between the figure and the cell's right border)."""
    return ("0" if decimals <= 0 else "0." + "0" * decimals) + "_ "


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_safe(text: str) -> str:
    """Text for a CSV cell that a spreadsheet will not evaluate: a leading ``'``."""
    return "'" + text if looks_like_formula(text) else text


@lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Width in Excel column units (width of ``0``): CJK and full-width characters count 2.
    (Cached: a province's tables measure the same labels and names thousands of times.)"""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
