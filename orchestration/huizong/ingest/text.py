"""Fast paths over ``huizong.normalize`` for the reader's hot loops.

A sheet has thousands of cells and most are numbers or plain ASCII; ``compact`` on them
would run NFKC and OpenCC for nothing (and fill its cache with figures). These helpers give
exactly ``compact(cell_text(value))`` for every input, just cheaper for the common ones.
"""

from __future__ import annotations

import re
from typing import Any

from huizong.ingest.header import cell_text
from huizong.normalize import compact

_SPACES = re.compile(r"\s+")


def ctext(value: Any) -> str:
    """``compact(cell_text(value))``."""
    if value is None:
        return ""
    t = type(value)
    if t is float:
        return cell_text(value)
    if t is str:
        if not value:
            return ""
        if value.isascii():
            # NFKC and t2s leave ASCII alone; the only dash mapping in ASCII is '~' -> '-'.
            s = _SPACES.sub("", value)
            return s.replace("~", "-") if "~" in s else s
        return compact(value)
    return compact(cell_text(value))


def is_empty(value: Any) -> bool:
    """True when the cell shows nothing (``ctext(value) == ''``)."""
    if value is None:
        return True
    if type(value) is str:
        return not value or (value.isspace() or not ctext(value))
    return False
