"""Text normalisation shared by the reader and the registry: one place for width, script,
whitespace, blank markers and number parsing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_T2S = OpenCC("t2s")
_SPACES = re.compile(r"\s+")
# Dash-like characters that hand-typed forms use for ranges and for "nothing".
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "~": "-", "～": "-", "―": "-", "‐": "-"})
BLANK_MARKERS = frozenset({"", "-", "--", "---", "/", "无", "\\", "－"})
_UNIT_SUFFIX = re.compile(r"[\(（]([^()（）]*)[\)）]$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@lru_cache(maxsize=65536)
def simplify(text: str) -> str:
    """NFKC (full-width to half-width), traditional to simplified, dashes unified."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return _T2S.convert(text)


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """``simplify`` and drop every whitespace (labels like ``总\u3000户\u3000数``)."""
    return _SPACES.sub("", simplify(text))


def split_unit(label: str) -> tuple[str, str]:
    """``'总人口(人)'`` -> ``('总人口', '人')``; a label without a unit keeps ``''``."""
    m = _UNIT_SUFFIX.search(label)
    if m and m.group(1) and not re.search(r"[含其]", m.group(1)):
        return label[: m.start()], m.group(1)
    return label, ""


def label_key(text: str) -> str:
    """Key a header label is matched on: compact, without ``其中:`` and trailing punctuation."""
    key = compact(text)
    key = re.sub(r"^其中[:]?", "", key)
    return key.strip(":")


def is_blank_marker(text: str) -> bool:
    return compact(text) in BLANK_MARKERS or set(compact(text)) <= {"-"}


_TRAILING_UNITS = ("万元", "人次", "公里", "公顷", "元", "人", "户", "亩", "个", "次", "%")


def parse_number(text: str) -> tuple[float | None, bool, str]:
    """Parse a hand-typed number.

    Returns ``(value, is_percent_text, trailing_unit)``. ``value`` is None when the text is
    not a number (a blank marker is the caller's business). Handles thousands separators,
    full-width digits, a trailing unit (``1498人``) and a trailing ``%``.
    """
    t = compact(text).replace(",", "")
    unit = ""
    for suffix in _TRAILING_UNITS:
        if t.endswith(suffix) and len(t) > len(suffix):
            unit, t = suffix, t[: -len(suffix)]
            break
    if _NUMBER.match(t):
        return float(t), unit == "%", unit
    return None, False, ""
