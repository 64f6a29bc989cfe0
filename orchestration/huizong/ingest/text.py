"""Fast paths over ``huizong.normalize`` for the reader's hot loops.

A sheet has thousands of cells and most are numbers or plain ASCII; ``compact`` on them
would run NFKC and OpenCC for nothing (and fill its cache with figures). These helpers give
exactly ``compact(cell_text(value))`` for every input, just cheaper for the common ones.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from huizong.ingest.header import cell_text
from huizong.normalize import _DASHES, compact

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s_chars() -> frozenset[str]:
    """Every character of every key of OpenCC's t2s dictionaries: a text without any of
    them is its own simplified form."""
    import opencc

    chars: set[str] = set()
    folder = Path(opencc.__file__).parent / "dictionary"
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        with open(folder / name, encoding="utf-8") as fh:
            for line in fh:
                chars.update(line.split("\t", 1)[0].strip())
    return frozenset(chars)


@lru_cache(maxsize=200000)
def fast_compact(text: str) -> str:
    """``compact(text)``, without OpenCC when no character could change."""
    if text.isascii():
        s = _SPACES.sub("", text)
        return s.replace("~", "-") if "~" in s else s
    s = unicodedata.normalize("NFKC", text).translate(_DASHES)
    if _t2s_chars().isdisjoint(s):
        return _SPACES.sub("", s)
    return compact(text)


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
        return fast_compact(value)
    return fast_compact(cell_text(value))


def is_empty(value: Any) -> bool:
    """True when the cell shows nothing (``ctext(value) == ''``)."""
    if value is None:
        return True
    if type(value) is str:
        return not value or (value.isspace() or not ctext(value))
    return False
